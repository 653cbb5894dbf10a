#!/usr/bin/env bash
# What one POST /videos costs: the packaged application beside the serverless pattern's upload-URL
# function (bench/node-upload-url, Node with the AWS SDK v3), both against the same embedded DynamoDB
# and S3 and loaded alike by wrk (see src/test/java/io/vodflow/bench/ApiBenchmark.java). Prints, from
# one run: CPU milliseconds per request (from /proc), requests per second and p99 latency of each,
# and the ratios vodflow/Node.
# Extra arguments go to Maven; to profile vodflow with Flight Recorder:
#   bench/api.sh -Dapi.benchmark.jvm-options=-XX:StartFlightRecording=settings=profile,filename=target/api.jfr
# Record the output in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk > /dev/null; then
  if command -v apt-get > /dev/null && [ "$(id -u)" = 0 ]; then
    apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }
  elif command -v apt-get > /dev/null && command -v sudo > /dev/null; then
    sudo apt-get install -y wrk || { sudo apt-get update && sudo apt-get install -y wrk; }
  else
    echo "The benchmark needs wrk (https://github.com/wg/wrk): apt-get install wrk, brew install wrk," >&2
    echo "or build it from source, then run this again." >&2
    exit 1
  fi
fi
command -v node > /dev/null || { echo "The benchmark needs Node.js 18 or later (node and npm)." >&2; exit 1; }

(cd bench/node-upload-url && npm ci --no-audit --no-fund --silent)

# The application is packaged again whenever a source or the build changed since the last package,
# so that the numbers are those of the code in the working tree.
jar=target/quarkus-app/quarkus-run.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml src/main -newer "$jar" -print -quit)" ]; then
  ./mvnw -B -q package -DskipTests
fi

mkdir -p target
./mvnw -B -q test -Dtest=ApiBenchmark -Dsurefire.failIfNoSpecifiedTests=false "$@" > target/api-benchmark.log 2>&1 || {
  tail -50 target/api-benchmark.log
  exit 1
}
cat target/api-benchmark.txt
