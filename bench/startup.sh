#!/usr/bin/env bash
# How long vodflow takes from `java -jar` to ready (/q/health/ready = 200, on the management port for
# vodflow), against embedded services,
# beside a bare Quarkus application (bench/bare-quarkus: REST and health only) started in the same run
# as the baseline (see src/test/java/io/vodflow/bench/StartupBenchmark.java). Prints, for each of
#   bare Quarkus          the baseline, on this JVM
#   vodflow plain         target/quarkus-app (fast-jar), on this JVM
#   vodflow AppCDS        target/startup-aot (aot-jar) on this JVM with a class-data archive recorded by
#                         the same training run
#   vodflow accelerated   target/startup-aot (aot-jar) on JDK 25 with an ahead-of-time cache recorded
#                         by a training run, as the JVM image records it (src/main/docker/Dockerfile.jvm)
# the median and fastest of 5 launches, Quarkus' own "started in", and the ratios to the baseline.
# JDK 25 is looked for under /usr/lib/jvm; name another with STARTUP_JAVA25=/path/to/bin/java.
# STARTUP_OTHER_JAR=/path/to/quarkus-app/quarkus-run.jar adds another build of vodflow to the same run
# (one from before a change, to compare with; vodflow is asked for readiness on its management port,
# which builds before 2026-12-01 do not open).
# Record the output in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
build() {
  "$@" >> target/startup-build.log 2>&1 || { tail -50 target/startup-build.log; exit 1; }
}
: > target/startup-build.log
# The aot-jar first, so that target/quarkus-app and its artifact file are the fast-jar's afterwards.
build ./mvnw -B -q package -DskipTests -Dquarkus.package.jar.type=aot-jar -Dquarkus.package.output-directory=startup-aot
build ./mvnw -B -q package -DskipTests
build ./mvnw -B -q -f bench/bare-quarkus/pom.xml package -DskipTests
./mvnw -B -q test -Dtest=StartupBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  ${STARTUP_JAVA25:+-Dstartup.java25="$STARTUP_JAVA25"} ${STARTUP_OTHER_JAR:+-Dstartup.other-jar="$STARTUP_OTHER_JAR"} \
  > target/startup-benchmark.log 2>&1 || {
  tail -50 target/startup-benchmark.log
  exit 1
}
cat target/startup-benchmark.txt
