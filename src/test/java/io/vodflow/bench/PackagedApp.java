package io.vodflow.bench;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vodflow.localcloud.LocalCloudTestPorts;
import io.vodflow.localcloud.PackagedAppCloud;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The packaged production application ({@code target/quarkus-app}) in its own process, against
 * embedded services started in this JVM, for benchmarks that measure it from outside: its start-up,
 * its CPU time ({@code /proc}) and its answers under load.
 */
final class PackagedApp implements AutoCloseable {

    static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PackagedAppCloud cloud;
    private final Map<String, String> settings;
    private final HttpClient http = HttpClient.newHttpClient();
    private Process process;
    private URI base;

    private PackagedApp(PackagedAppCloud cloud, Map<String, String> settings) {
        this.cloud = cloud;
        this.settings = settings;
    }

    /** Starts the embedded services; the application starts with {@link #launch}. */
    static PackagedApp withEmbeddedServices() {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException("No " + JAR + ": package the application first (./mvnw package)");
        }
        PackagedAppCloud cloud = new PackagedAppCloud();
        Map<String, String> settings = new HashMap<>(cloud.start());
        // A port known in advance, as the HTTP port is here (both set: see PackagedAppCloud).
        settings.put("quarkus.management.port", LocalCloudTestPorts.freePort());
        return new PackagedApp(cloud, settings);
    }

    /** The settings the application gets, which name the embedded services; add to them before launching. */
    Map<String, String> settings() {
        return settings;
    }

    /**
     * Starts the application with {@code java}, {@code jvmOptions} and the settings, and waits until
     * its readiness check answers 200.
     *
     * @return nanoseconds from starting the process to ready
     */
    long launch(Path java, List<String> jvmOptions, Path log) throws IOException {
        return launch(java, jvmOptions, JAR, log);
    }

    /**
     * Like {@link #launch(Path, List, Path)}, for another package of the application: {@code jar} is its
     * {@code quarkus-run.jar} (the ahead-of-time package, say).
     */
    long launch(Path java, List<String> jvmOptions, Path jar, Path log) throws IOException {
        List<String> options = new ArrayList<>(jvmOptions);
        settings.forEach((setting, value) -> options.add("-D" + setting + "=" + value));
        return start(java, options, jar, log, Optional.of(management()));
    }

    /**
     * Starts another Quarkus application, without the application's settings (a bare one, to compare
     * with), and waits until its readiness check, on its HTTP port, answers 200; {@link #stop} stops it.
     *
     * @return nanoseconds from starting the process to ready
     */
    long launchOther(Path java, List<String> jvmOptions, Path jar, Path log) throws IOException {
        return start(java, jvmOptions, jar, log, Optional.empty());
    }

    /** Starts a process and waits for the readiness check of {@code management}, else of its HTTP port. */
    private long start(Path java, List<String> jvmOptions, Path jar, Path log, Optional<URI> management)
            throws IOException {
        int port = Integer.parseInt(LocalCloudTestPorts.freePort());
        base = URI.create("http://127.0.0.1:" + port);
        List<String> command = new ArrayList<>(List.of(java.toString()));
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.port=" + port);
        command.addAll(List.of("-jar", jar.toString()));
        Files.createDirectories(log.toAbsolutePath().getParent());
        long started = System.nanoTime();
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        HttpRequest readiness = HttpRequest.newBuilder(management.orElse(base).resolve("/q/health/ready"))
                .timeout(Duration.ofSeconds(5))
                .build();
        await().atMost(Duration.ofMinutes(2))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5))
                .ignoreExceptionsInstanceOf(IOException.class) // not listening yet
                .failFast("The application stopped; see " + log, () -> !process.isAlive())
                .until(() -> http.send(readiness, HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200);
        return System.nanoTime() - started;
    }

    /** JVM options for the application from {@code -Dbench.app-options}, space-separated: to profile it, say. */
    static List<String> extraOptions() {
        String options = System.getProperty("bench.app-options", "").strip();
        return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
    }

    URI base() {
        return base;
    }

    /** Where the application serves health and metrics: its management interface, as in production. */
    URI management() {
        return URI.create("http://127.0.0.1:" + settings.get("quarkus.management.port"));
    }

    long pid() {
        return process.pid();
    }

    /** A bearer token of {@code user}, from the embedded sign-in provider. */
    String token(String user) throws IOException, InterruptedException {
        String form = Map.of(
                        "grant_type", "password",
                        "username", user,
                        "password", "any",
                        "client_id", "vodflow",
                        "scope", "openid")
                .entrySet()
                .stream()
                .map(field -> field.getKey() + "=" + URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8))
                .reduce((a, b) -> a + "&" + b)
                .orElseThrow();
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(settings.get("quarkus.oidc.auth-server-url") + "/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("No token for " + user + ": " + answer.body());
        }
        return JSON.readTree(answer.body()).path("access_token").asText();
    }

    /** Stops the application, leaving the embedded services running for the next launch. */
    void stop() throws InterruptedException {
        stop(Duration.ofSeconds(30));
    }

    /**
     * Stops the application and waits up to {@code patience} for it to exit, for a JVM with work to do
     * on its way out (writing a class-data or ahead-of-time cache); it is killed after that.
     */
    void stop(Duration patience) throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            stop();
        } finally {
            cloud.stop();
        }
    }

    /** CPU time (user and system) a process has used so far, from {@code /proc/<pid>/stat}. */
    static double cpuMillis(long pid) throws IOException {
        return cpuMillis(Path.of("/proc", Long.toString(pid)));
    }

    /** The same for a directory of {@code /proc}: a process's, or a thread's ({@code /proc/<pid>/task/<tid>}). */
    static double cpuMillis(Path proc) throws IOException {
        String stat = Files.readString(proc.resolve("stat"));
        // Fields after the command name, which is in parentheses and may hold spaces.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
        return ticks * 1000.0 / CLOCK_TICKS_PER_SECOND;
    }

    /** {@code getconf CLK_TCK}: 100 on every Linux this runs on. */
    private static final int CLOCK_TICKS_PER_SECOND = 100;
}
