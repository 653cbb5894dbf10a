package io.vodflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * How long the packaged application takes from {@code java -jar} to its readiness check answering 200,
 * against embedded services, beside a bare Quarkus application (REST and health only,
 * {@code bench/bare-quarkus}) started in the same run as the baseline:
 *
 * <ul>
 *   <li>bare: {@code bench/bare-quarkus/target/quarkus-app}, on the JVM running this (Java 17);
 *   <li>plain: {@code target/quarkus-app}, the fast-jar, on the same JVM;
 *   <li>AppCDS: {@code target/startup-aot}, the aot-jar, on the same JVM with a class-data archive
 *       recorded by a training run against no services (where JDK 25 is not there);
 *   <li>accelerated: {@code target/startup-aot}, the aot-jar, on JDK 25 with an ahead-of-time cache
 *       recorded by a training run against no services, as the JVM image records its own
 *       (src/main/docker/Dockerfile.jvm).
 * </ul>
 *
 * Each is launched once to warm the machine's file cache, then {@code startup.launches} times (5 by
 * default), taking turns so that a drift in the machine's load hits all of them; {@code
 * -Dstartup.other-jar=.../quarkus-run.jar} adds another build of the application to compare with in the
 * same run (one from before a change, say). Reported:
 * the median and the fastest launch of each, Quarkus' own "started in", and each one's ratio to the
 * bare application's. Not a test (its name keeps it out of the default run): run
 * {@code bench/startup.sh}, which builds what this needs.
 */
class StartupBenchmark {

    private static final Path BARE = Path.of("bench", "bare-quarkus", "target", "quarkus-app", "quarkus-run.jar");
    private static final Path AOT_JAR = Path.of("target", "startup-aot", "quarkus-run.jar");
    private static final Path AOT_CACHE = Path.of("target", "startup-aot", "app.aot");
    private static final Path CDS_ARCHIVE = Path.of("target", "startup-aot", "app-cds.jsa");
    private static final Path LOGS = Path.of("target", "startup-benchmark");
    private static final Pattern STARTED = Pattern.compile("started in (\\d+\\.\\d+)s");

    /** One way of starting an application. */
    private record Variant(String name, Path java, List<String> options, Path jar, boolean vodflow) {}

    /** What one launch measured: to ready from outside, and Quarkus' own figure from its log. */
    private record Launch(double readySeconds, OptionalDouble startedIn) {}

    @Test
    void startToReady() throws Exception {
        int launches = Integer.getInteger("startup.launches", 5);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        assertThat(BARE).as("the bare application: bench/startup.sh builds it").exists();

        List<Variant> variants = new ArrayList<>(List.of(
                new Variant("bare Quarkus", java, List.of(), BARE, false),
                new Variant("vodflow plain", java, List.of(), PackagedApp.JAR, true)));
        // Another build of the application to compare with in the same run, such as one from before a change.
        Optional<Path> other =
                Optional.ofNullable(System.getProperty("startup.other-jar")).map(Path::of);
        other.ifPresent(jar -> variants.add(new Variant("vodflow other jar", java, List.of(), jar, true)));
        Optional<Path> java25 = java25();
        if (Files.exists(AOT_JAR)) {
            // Where JDK 25 is not there: class-data sharing of this JVM, recorded by the same training run.
            train(java, "-XX:ArchiveClassesAtExit=" + CDS_ARCHIVE, CDS_ARCHIVE);
            variants.add(new Variant(
                    "vodflow AppCDS", java, List.of("-XX:SharedArchiveFile=" + CDS_ARCHIVE), AOT_JAR, true));
        }
        if (java25.isPresent() && Files.exists(AOT_JAR)) {
            train(java25.get(), "-XX:AOTCacheOutput=" + AOT_CACHE, AOT_CACHE);
            variants.add(new Variant(
                    "vodflow accelerated",
                    java25.get(),
                    // AOTMode=on fails the launch if the cache cannot be used, instead of quietly ignoring it.
                    List.of("-XX:AOTCache=" + AOT_CACHE, "-XX:AOTMode=on"),
                    AOT_JAR,
                    true));
        }

        Map<Variant, List<Launch>> results = new LinkedHashMap<>();
        variants.forEach(variant -> results.put(variant, new ArrayList<>()));
        try (PackagedApp app = PackagedApp.withEmbeddedServices()) {
            for (int round = 0; round <= launches; round++) {
                // Each round starts with another variant, so that none always follows the same one.
                for (int turn = 0; turn < variants.size(); turn++) {
                    Variant variant = variants.get((round + turn) % variants.size());
                    Launch launch = launch(app, variant, round);
                    if (round > 0) { // round 0 warms the file cache and the embedded services
                        results.get(variant).add(launch);
                    }
                }
            }
        }

        boolean accelerated =
                variants.stream().anyMatch(variant -> variant.java().equals(java25.orElse(null)));
        String report = report(results, java, accelerated ? java25 : Optional.empty(), other);
        System.out.println("\n=== Start-up benchmark ===\n" + report);
        Files.writeString(Path.of("target", "startup-benchmark.txt"), report);
    }

    private static Launch launch(PackagedApp app, Variant variant, int round) throws Exception {
        Path log = LOGS.resolve(variant.name().replace(' ', '-') + "-" + round + ".log");
        long nanos = variant.vodflow()
                ? app.launch(variant.java(), variant.options(), variant.jar(), log)
                : app.launchOther(variant.java(), variant.options(), variant.jar(), log);
        app.stop();
        return new Launch(nanos / 1e9, startedIn(log));
    }

    /**
     * Records an ahead-of-time cache or class-data archive as the JVM image does: one start of the
     * aot-jar in the {@code aot-training} profile, which needs no services and exits once warmed up.
     *
     * @param record the JVM option that records {@code cache}
     */
    private static void train(Path java, String record, Path cache) throws IOException, InterruptedException {
        Files.deleteIfExists(cache);
        Files.createDirectories(LOGS);
        Path log = LOGS.resolve(cache.getFileName() + "-training.log");
        Process training = new ProcessBuilder(
                        java.toString(), record, "-Dquarkus.profile=prod,aot-training", "-jar", AOT_JAR.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!training.waitFor(10, TimeUnit.MINUTES)) {
            training.destroyForcibly();
        }
        assertThat(training.exitValue()).as("the training run; see %s", log).isZero();
        assertThat(cache).as("the cache the training run records; see %s", log).exists();
    }

    /** A JDK 25 java: {@code -Dstartup.java25}, else one under /usr/lib/jvm. */
    private static Optional<Path> java25() throws IOException {
        String configured = System.getProperty("startup.java25");
        if (configured != null) {
            return Optional.of(Path.of(configured));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> installed = Files.list(jvms)) {
            return installed
                    .filter(home -> home.getFileName().toString().matches(".*-25(\\D.*)?"))
                    .map(home -> home.resolve("bin").resolve("java"))
                    .filter(Files::isExecutable)
                    .sorted()
                    .findFirst();
        }
    }

    /** Quarkus' "started in" from a launch's log, once it is there. */
    private static OptionalDouble startedIn(Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher started = STARTED.matcher(Files.readString(log));
            if (started.find()) {
                return OptionalDouble.of(Double.parseDouble(started.group(1)));
            }
            Thread.sleep(20);
        }
        return OptionalDouble.empty();
    }

    private static String report(
            Map<Variant, List<Launch>> results, Path java, Optional<Path> java25, Optional<Path> other) {
        StringBuilder report = new StringBuilder();
        report.append(String.format(
                Locale.ROOT,
                "start to ready (/q/health/ready = 200), %d launches each after one warm-up, interleaved%n",
                results.values().iterator().next().size()));
        report.append(String.format(
                Locale.ROOT, "%-22s %8s %8s %10s %10s %10s%n", "", "median", "min", "started", "median/", "min/"));
        report.append(
                String.format(Locale.ROOT, "%-22s %8s %8s %10s %10s %10s%n", "", "", "", "(Quarkus)", "bare", "bare"));
        List<Launch> bare = results.values().iterator().next();
        double bareMedian = median(bare.stream().map(Launch::readySeconds).toList());
        double bareMin = min(bare.stream().map(Launch::readySeconds).toList());
        results.forEach((variant, launches) -> {
            List<Double> ready = launches.stream().map(Launch::readySeconds).toList();
            List<Double> started = launches.stream()
                    .map(Launch::startedIn)
                    .filter(OptionalDouble::isPresent)
                    .map(OptionalDouble::getAsDouble)
                    .toList();
            report.append(String.format(
                    Locale.ROOT,
                    "%-22s %7.2fs %7.2fs %9s %10.2f %10.2f%n",
                    variant.name(),
                    median(ready),
                    min(ready),
                    started.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2fs", median(started)),
                    median(ready) / bareMedian,
                    min(ready) / bareMin));
        });
        report.append("every launch (s):\n");
        results.forEach((variant, launches) -> report.append(String.format(
                Locale.ROOT,
                "  %-20s %s%n",
                variant.name(),
                launches.stream()
                        .map(launch -> String.format(Locale.ROOT, "%.2f", launch.readySeconds()))
                        .toList())));
        report.append("plain and bare: ")
                .append(java)
                .append(" (")
                .append(Runtime.version())
                .append(")\n");
        other.ifPresent(jar -> report.append("other jar: ").append(jar).append('\n'));
        report.append("accelerated: ")
                .append(java25.map(Path::toString).orElse("not measured (no JDK 25 or no target/startup-aot)"))
                .append('\n');
        return report.toString();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }
}
