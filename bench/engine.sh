#!/usr/bin/env bash
# Times the local engine against hand-written ffmpeg on a generated 30 s 1080p source with audio
# (see src/test/java/io/vodflow/bench/EngineBenchmark.java) and prints the ratios of one run:
#   (a)/(b): engine end to end / the equivalent single ffmpeg command (the engine's overhead)
#   (c)/(a): one ffmpeg process per rung / the engine (what decoding once saves)
# Record the output in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test -Dtest=EngineBenchmark -Dsurefire.failIfNoSpecifiedTests=false > target/engine-benchmark.log 2>&1 || {
  tail -50 target/engine-benchmark.log
  exit 1
}
cat target/engine-benchmark.txt
