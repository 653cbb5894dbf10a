#!/usr/bin/env bash
# How soon an upload plays: a generated 60 s 1080p30 source with audio, uploaded through the API and
# transcoded by the local engine (see src/test/java/io/vodflow/bench/PlayableBenchmark.java), on a
# service that took one short video through the pipeline first (a warm JVM). Prints, from one run:
#   (a) upload end to playable (the master playlist opens, every rendition has a stored segment)
#   (b) upload end to COMPLETE
#   (a)/(b)
# Record the output in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test -Dtest=PlayableBenchmark -Dsurefire.failIfNoSpecifiedTests=false > target/playable-benchmark.log 2>&1 || {
  tail -50 target/playable-benchmark.log
  exit 1
}
cat target/playable-benchmark.txt
