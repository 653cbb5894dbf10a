#!/usr/bin/env bash
# Server-Sent Events fan-out: 10,000 clients follow one video on the packaged application (a 256 MB
# heap and the k8s pod's serial collector), the video is uploaded and transcoded, and the benchmark
# prints how long after the first subscriber the others received COMPLETE (p50, p99, last) and the
# heap in use; twice, the second video measured on warm JVMs (see
# src/test/java/io/vodflow/bench/SseBenchmark.java). Record the output in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# Both ends hold 10,000 connections, each a file descriptor.
ulimit -n 20000 2>/dev/null || true
./mvnw -B -q package -DskipTests > target/sse-benchmark-build.log 2>&1 || {
  tail -50 target/sse-benchmark-build.log
  exit 1
}
./mvnw -B -q test -Dtest=SseBenchmark -Dsurefire.failIfNoSpecifiedTests=false > target/sse-benchmark.log 2>&1 || {
  tail -50 target/sse-benchmark.log
  exit 1
}
cat target/sse-benchmark.txt
