package io.vodflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vodflow.localcloud.LocalCloudTestPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What one {@code POST /videos} costs vodflow, beside the serverless pattern's upload-URL function
 * ({@code bench/node-upload-url}: a Node server validating the request, putting one DynamoDB item and
 * presigning the S3 PUT with the AWS SDK v3). Both run against the same embedded DynamoDB and S3 and
 * take the same load from wrk; for each: CPU milliseconds per request (from {@code /proc}), requests
 * per second and the 99th percentile of latency, and the ratios vodflow/Node, from one run. Beside
 * them, what explains them: the CPU the embedded DynamoDB (dynalite, one Node process) spent per
 * request, and how much of vodflow's went to compiling (the JIT's threads).
 *
 * <p>Not a test (its name keeps it out of the default run): run {@code bench/api.sh}, which packages
 * the application and installs the Node server first. {@code -Dapi.benchmark.jvm-options=...} adds
 * options to vodflow's JVM, for example to record it with Flight Recorder (which then costs it some CPU).
 */
class ApiBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path OUT = Path.of("target", "api-benchmark");
    private static final Path NODE_SERVER = Path.of("bench", "node-upload-url", "server.js");
    private static final String BODY =
            "{\"fileName\":\"clip.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":1048576}";

    private static final int THREADS = 2;
    private static final int CONNECTIONS = 8;
    /**
     * Long enough for the JIT, which shares the two cores with the load: after 60 s vodflow's compiler
     * threads still took a fifth of its CPU in the first measured run (the JIT column shows it).
     */
    private static final Duration WARM_UP = Duration.ofSeconds(90);

    private static final Duration MEASURED = Duration.ofSeconds(30);
    private static final Duration IDLE = Duration.ofSeconds(10);
    private static final Path GC_LOG = OUT.resolve("vodflow-gc.log");
    /**
     * Users the requests take turns as ({@code -Dapi.benchmark.users} to change). Vodflow counts each
     * owner's videos in flight for the quota with a query that reads all of them: one user creating
     * every video would make that query, and the embedded DynamoDB with it, slower with each request,
     * whereas a real owner has a few in flight (the default quota is 10). Here each has a few dozen.
     */
    private static final int USERS = Integer.getInteger("api.benchmark.users", 2000);
    /** Measured runs of each server, alternating, so that drift of the machine hits both. */
    private static final int ROUNDS = 2;

    /**
     * The JVM of the k8s/base pod: the heap is the JVM's default quarter of the container's memory,
     * and with the pod's 1536Mi limit the JVM is not on a "server-class machine" (under 1792 MB), so it
     * picks the serial collector. On this host it would pick G1 and a quarter of the host's memory.
     */
    private static final List<String> JVM_OPTIONS = List.of("-XX:MaxRAM=1536m", "-XX:+UseSerialGC");

    private final HttpClient http = HttpClient.newHttpClient();

    /** One server under load: its name, where it listens and its process. */
    private record Server(String name, URI base, long pid) {}

    /** One wrk run, from the summary its script prints, with the CPU used meanwhile. */
    private record Run(
            String server,
            int round,
            long requests,
            double seconds,
            Cpu cpu,
            double p50Millis,
            double p99Millis,
            long non2xx,
            long socketErrors,
            long timeouts,
            long startMillis,
            long endMillis) {}

    /** CPU milliseconds: the server's, its JIT compiler threads' (part of the server's), the embedded DynamoDB's. */
    private record Cpu(double server, double compilers, double dynamo) {

        Cpu minus(Cpu before) {
            return new Cpu(server - before.server, compilers - before.compilers, dynamo - before.dynamo);
        }
    }

    @Test
    void createVideoCpuAndLatencyAgainstNode() throws Exception {
        Files.createDirectories(OUT);
        try (PackagedApp app = PackagedApp.withEmbeddedServices()) {
            Map<String, String> settings = app.settings();
            // Users end with a few dozen videos in flight, past the default quota: quotas must not refuse it.
            settings.put("vodflow.quotas.videos-in-flight", "100000000");
            settings.put("vodflow.quotas.creations-per-minute", "100000000");
            settings.put("vodflow.quotas.bytes-per-day", "1000T");
            List<String> jvmOptions = new ArrayList<>(JVM_OPTIONS);
            // Which pauses the tail of vodflow's latencies met; a line per collection costs nothing here.
            jvmOptions.add("-Xlog:gc:file=" + GC_LOG + ":timemillis:filecount=0");
            String extra = System.getProperty("api.benchmark.jvm-options", "");
            if (!extra.isBlank()) {
                jvmOptions.addAll(List.of(extra.trim().split("\\s+")));
            }
            app.launch(Path.of(System.getProperty("java.home"), "bin", "java"), jvmOptions, OUT.resolve("vodflow.log"));
            Server vodflow = new Server("vodflow", app.base(), app.pid());

            Process node = startNode(settings);
            try {
                Server nodeServer = new Server("node", waitForNode(node), node.pid());
                // Both get the same requests, tokens included: the Node function leaves them to API Gateway.
                List<String> tokens = tokens(app);
                // Quotas count per subject: each user must be an owner of its own.
                assertThat(subject(tokens.get(tokens.size() - 1))).isEqualTo("bench-user-" + USERS);
                Path script = writeScript(tokens);
                List<Server> servers = List.of(vodflow, nodeServer);
                for (Server server : servers) {
                    checkAnswer(server, tokens.get(0));
                }
                ProcessHandle dynamo = embeddedDynamoDb();
                for (Server server : servers) {
                    wrk(server, script, WARM_UP, 0, dynamo);
                }
                Map<String, Double> idle = idleCpu(servers);
                List<Run> runs = new ArrayList<>();
                for (int round = 1; round <= ROUNDS; round++) {
                    for (Server server : servers) {
                        runs.add(wrk(server, script, MEASURED, round, dynamo));
                    }
                }
                String report = report(runs, idle, jvmOptions);
                System.out.println("\n=== API benchmark ===\n" + report);
                Files.writeString(Path.of("target", "api-benchmark.txt"), report);

                // Numbers from refused or failed requests would measure something else.
                assertThat(runs).allSatisfy(run -> {
                    assertThat(run.non2xx())
                            .as("non-2xx answers of %s", run.server())
                            .isZero();
                    assertThat(run.socketErrors())
                            .as("connect, read and write errors of %s", run.server())
                            .isZero();
                });
            } finally {
                node.destroy();
                if (!node.waitFor(10, TimeUnit.SECONDS)) {
                    node.destroyForcibly();
                }
            }
        }
    }

    /**
     * A token for each user. The provider takes some 50 ms to answer one, mostly waiting: several at a
     * time keep the set-up short.
     */
    private static List<String> tokens(PackagedApp app) throws InterruptedException, ExecutionException {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> pending = new ArrayList<>();
            for (int user = 1; user <= USERS; user++) {
                String name = "bench-user-" + user;
                pending.add(pool.submit(() -> app.token(name)));
            }
            List<String> tokens = new ArrayList<>();
            for (Future<String> token : pending) {
                tokens.add(token.get());
            }
            return tokens;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The Node server against the embedded services, with the names and keys vodflow gets. */
    private Process startNode(Map<String, String> settings) throws IOException {
        if (!Files.exists(NODE_SERVER.resolveSibling("node_modules"))) {
            throw new IllegalStateException("Run npm ci in " + NODE_SERVER.getParent() + " first (bench/api.sh does)");
        }
        ProcessBuilder builder = new ProcessBuilder("node", NODE_SERVER.toString())
                .redirectErrorStream(true)
                .redirectOutput(OUT.resolve("node.log").toFile());
        Map<String, String> env = builder.environment();
        env.put("PORT", LocalCloudTestPorts.freePort());
        env.put("AWS_REGION", settings.get("quarkus.dynamodb.aws.region"));
        env.put("AWS_ACCESS_KEY_ID", settings.get("quarkus.dynamodb.aws.credentials.static-provider.access-key-id"));
        env.put(
                "AWS_SECRET_ACCESS_KEY",
                settings.get("quarkus.dynamodb.aws.credentials.static-provider.secret-access-key"));
        env.put("DYNAMODB_ENDPOINT", settings.get("quarkus.dynamodb.endpoint-override"));
        env.put("S3_ENDPOINT", settings.get("quarkus.s3.endpoint-override"));
        env.put("TABLE_NAME", settings.get("vodflow.database.table"));
        env.put("BUCKET_NAME", settings.get("vodflow.storage.input-bucket"));
        // Nothing from the machine's own AWS set-up may reach the comparison.
        env.keySet().removeIf(name -> name.startsWith("AWS_PROFILE") || name.equals("AWS_SESSION_TOKEN"));
        return builder.start();
    }

    private static URI waitForNode(Process node) throws IOException {
        Path log = OUT.resolve("node.log");
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .failFast("The Node server stopped; see " + log, () -> !node.isAlive())
                .until(() -> Files.readString(log).contains("listening on"));
        String port = JSON.readTree(Files.readString(log)
                        .lines()
                        .filter(line -> line.contains("listening on"))
                        .findFirst()
                        .orElseThrow())
                .path("message")
                .asText()
                .replaceAll("\\D", "");
        return URI.create("http://127.0.0.1:" + port);
    }

    /**
     * wrk's script: the POST every request sends, as the users in turn, and a summary in lines this
     * class reads (wrk's own output rounds the latencies).
     */
    private static Path writeScript(List<String> tokens) throws IOException {
        String lua =
                """
                wrk.method = "POST"
                wrk.body = '%s'
                wrk.headers["Content-Type"] = "application/json"

                local tokens = {
                %s
                }
                local sent = 0

                request = function()
                  sent = sent + 1
                  wrk.headers["Authorization"] = "Bearer " .. tokens[sent %% #tokens + 1]
                  return wrk.format()
                end

                done = function(summary, latency, requests)
                  local e = summary.errors
                  io.write(string.format("bench requests %%d\\n", summary.requests))
                  io.write(string.format("bench duration_us %%d\\n", summary.duration))
                  io.write(string.format("bench non2xx %%d\\n", e.status))
                  io.write(string.format("bench socket_errors %%d\\n", e.connect + e.read + e.write))
                  io.write(string.format("bench timeouts %%d\\n", e.timeout))
                  io.write(string.format("bench p50_us %%d\\n", latency:percentile(50)))
                  io.write(string.format("bench p99_us %%d\\n", latency:percentile(99)))
                end
                """
                        .formatted(
                                BODY,
                                tokens.stream()
                                        .map(token -> "  \"" + token + "\",")
                                        .collect(Collectors.joining("\n")));
        Path script = OUT.resolve("post.lua");
        Files.writeString(script, lua);
        return script;
    }

    private static String subject(String jwt) throws IOException {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]))
                .path("sub")
                .asText();
    }

    /** One request as wrk sends it: the server creates the video and presigns its upload. */
    private void checkAnswer(Server server, String token) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(server.base().resolve("/videos"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(BODY))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode())
                .as("%s: %s", server.name(), answer.body())
                .isEqualTo(201);
        JsonNode created = JSON.readTree(answer.body());
        assertThat(created.path("status").asText()).isEqualTo("AWAITING_UPLOAD");
        assertThat(created.path("upload").path("url").asText())
                .contains("/uploads/" + created.path("id").asText() + "/source")
                .contains("X-Amz-Signature=")
                .containsPattern("X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost%3Bif-none-match");
    }

    /** The embedded DynamoDB: dynalite, a Node process this JVM started. */
    private static ProcessHandle embeddedDynamoDb() {
        return ProcessHandle.current()
                .descendants()
                .filter(process -> process.info().commandLine().orElse("").contains("dynalite"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No dynalite process under this JVM"));
    }

    private static Cpu cpu(Server server, ProcessHandle dynamo) throws IOException {
        return new Cpu(
                PackagedApp.cpuMillis(server.pid()),
                server.name().equals("vodflow") ? compilerCpuMillis(server.pid()) : 0,
                PackagedApp.cpuMillis(dynamo.pid()));
    }

    /**
     * CPU time of a JVM's JIT compiler threads ({@code C1/C2 CompilerThreadN}, shortened to 15
     * characters by Linux). A compiler thread the JVM stopped meanwhile is missed: at least this much.
     */
    private static double compilerCpuMillis(long pid) throws IOException {
        double millis = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (Files.readString(task.resolve("comm")).matches("C[12] CompilerThre\\S*\\s*")) {
                        millis += PackagedApp.cpuMillis(task);
                    }
                } catch (IOException gone) {
                    // the thread ended between the listing and the read
                }
            }
        }
        return millis;
    }

    /** CPU time each server uses doing nothing (consumers polling, timers), in ms per second. */
    private static Map<String, Double> idleCpu(List<Server> servers) throws IOException, InterruptedException {
        Map<String, Double> before = new HashMap<>();
        for (Server server : servers) {
            before.put(server.name(), PackagedApp.cpuMillis(server.pid()));
        }
        Thread.sleep(IDLE.toMillis()); // a fixed window of nothing happening, not a wait for an outcome
        Map<String, Double> idle = new HashMap<>();
        for (Server server : servers) {
            idle.put(
                    server.name(),
                    (PackagedApp.cpuMillis(server.pid()) - before.get(server.name())) / IDLE.toSeconds());
        }
        return idle;
    }

    private static Run wrk(Server server, Path script, Duration duration, int round, ProcessHandle dynamo)
            throws IOException, InterruptedException {
        List<String> command = List.of(
                "wrk",
                "-t" + THREADS,
                "-c" + CONNECTIONS,
                "-d" + duration.toSeconds() + "s",
                "--latency",
                "-s",
                script.toString(),
                server.base().resolve("/videos").toString());
        Path output = OUT.resolve(server.name() + (round == 0 ? "-warm-up" : "-" + round) + ".txt");
        Cpu before = cpu(server, dynamo);
        long start = System.currentTimeMillis();
        Process wrk = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!wrk.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
            wrk.destroyForcibly();
            throw new IllegalStateException("wrk failed; see " + output);
        }
        Cpu cpu = cpu(server, dynamo).minus(before);
        Map<String, Long> summary = new HashMap<>();
        for (String line : Files.readAllLines(output)) {
            if (line.startsWith("bench ")) {
                String[] fields = line.split(" ");
                summary.put(fields[1], Long.parseLong(fields[2]));
            }
        }
        if (!summary.containsKey("requests") || summary.get("requests") == 0) {
            throw new IllegalStateException("wrk sent no request; see " + output);
        }
        return new Run(
                server.name(),
                round,
                summary.get("requests"),
                summary.get("duration_us") / 1e6,
                cpu,
                summary.get("p50_us") / 1e3,
                summary.get("p99_us") / 1e3,
                summary.get("non2xx"),
                summary.get("socket_errors"),
                summary.get("timeouts"),
                start,
                System.currentTimeMillis());
    }

    private static String report(List<Run> runs, Map<String, Double> idle, List<String> jvmOptions) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "POST /videos as %d users in turn, wrk -t%d -c%d, %d s measured per run after %d s of warm-up,"
                        + " %d runs each alternating%n",
                USERS,
                THREADS,
                CONNECTIONS,
                MEASURED.toSeconds(),
                WARM_UP.toSeconds(),
                ROUNDS));
        out.append(String.format(
                Locale.ROOT,
                "%s, %d cores, load average %s; Java %s (%s), %s%n%n",
                LocalDate.now(),
                Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).split(" ")[0],
                System.getProperty("java.version"),
                String.join(" ", jvmOptions),
                nodeVersion()));
        out.append(String.format(
                Locale.ROOT,
                "%-8s %4s %8s %6s %10s %7s %7s %7s %8s | %10s %10s %9s%n",
                "server",
                "run",
                "requests",
                "req/s",
                "CPU ms/req",
                "p50 ms",
                "p99 ms",
                "non-2xx",
                "timeouts",
                "JIT ms/req",
                "DDB ms/req",
                "DDB busy"));
        for (Run run : runs) {
            out.append(row(run.server(), Integer.toString(run.round()), List.of(run)));
        }
        List<Run> vodflow =
                runs.stream().filter(run -> run.server().equals("vodflow")).toList();
        List<Run> node =
                runs.stream().filter(run -> run.server().equals("node")).toList();
        out.append(row("vodflow", "all", vodflow));
        out.append(row("node", "all", node));
        out.append(String.format(
                Locale.ROOT,
                "%nvodflow/node: CPU per request %.2f, p99 %.2f, requests per second %.2f%n",
                cpuPerRequest(vodflow) / cpuPerRequest(node),
                mean(vodflow, Run::p99Millis) / mean(node, Run::p99Millis),
                perSecond(vodflow) / perSecond(node)));
        out.append(gcPauses(vodflow));
        out.append(String.format(
                Locale.ROOT,
                "idle CPU: vodflow %.1f ms/s, node %.1f ms/s (included above)%n",
                idle.get("vodflow"),
                idle.get("node")));
        out.append("\"all\": CPU and requests summed over the runs, percentiles their mean.\n"
                + "JIT: the part of vodflow's CPU its compiler threads took. DDB: the embedded DynamoDB"
                + " (dynalite, one Node process), its CPU per request and its share of one core.\n");
        return out.toString();
    }

    /**
     * vodflow's collections during each run, and what it allocated per request, from its GC log
     * ({@code [<epoch>ms] GC(n) Pause Young (Allocation Failure) 42M->28M(50M) 1.234ms}): what a
     * collection finds in use, less what the one before left, was allocated in between.
     */
    private static String gcPauses(List<Run> vodflow) throws IOException {
        Pattern pause =
                Pattern.compile("^\\[(\\d+)ms\\] GC\\(\\d+\\) Pause .* (\\d+)M->(\\d+)M\\(\\d+M\\) (\\d+\\.\\d+)ms$");
        List<double[]> pauses = new ArrayList<>(); // when, how long, MB allocated since the one before
        long leftBefore = 0;
        for (String line : Files.readAllLines(GC_LOG)) {
            Matcher matched = pause.matcher(line);
            if (matched.matches()) {
                long inUse = Long.parseLong(matched.group(2));
                pauses.add(new double[] {
                    Long.parseLong(matched.group(1)), Double.parseDouble(matched.group(4)), inUse - leftBefore
                });
                leftBefore = Long.parseLong(matched.group(3));
            }
        }
        StringBuilder out = new StringBuilder("vodflow GC pauses:");
        for (Run run : vodflow) {
            List<double[]> during = pauses.stream()
                    .filter(p -> p[0] >= run.startMillis() && p[0] <= run.endMillis())
                    .toList();
            out.append(String.format(
                    Locale.ROOT,
                    " run %d: %d, %.0f ms in all, longest %.1f ms, %.0f kB allocated per request;",
                    run.round(),
                    during.size(),
                    during.stream().mapToDouble(p -> p[1]).sum(),
                    during.stream().mapToDouble(p -> p[1]).max().orElse(0),
                    during.stream().mapToDouble(p -> p[2]).sum() * 1024 / run.requests()));
        }
        return out.deleteCharAt(out.length() - 1).append('\n').toString();
    }

    private static String row(String server, String run, List<Run> runs) {
        return String.format(
                Locale.ROOT,
                "%-8s %4s %8d %6.0f %10.3f %7.1f %7.1f %7d %8d | %10s %10.3f %8.0f%%%n",
                server,
                run,
                runs.stream().mapToLong(Run::requests).sum(),
                perSecond(runs),
                cpuPerRequest(runs),
                mean(runs, Run::p50Millis),
                mean(runs, Run::p99Millis),
                runs.stream().mapToLong(Run::non2xx).sum(),
                runs.stream().mapToLong(Run::timeouts).sum(),
                server.equals("vodflow") ? String.format(Locale.ROOT, "%.3f", perRequest(runs, Cpu::compilers)) : "-",
                perRequest(runs, Cpu::dynamo),
                sum(runs, measured -> measured.cpu().dynamo()) / sum(runs, Run::seconds) / 10);
    }

    private static double cpuPerRequest(List<Run> runs) {
        return perRequest(runs, Cpu::server);
    }

    private static double perRequest(List<Run> runs, ToDoubleFunction<Cpu> cpu) {
        return sum(runs, run -> cpu.applyAsDouble(run.cpu())) / sum(runs, Run::requests);
    }

    private static double sum(List<Run> runs, ToDoubleFunction<Run> value) {
        return runs.stream().mapToDouble(value).sum();
    }

    private static double perSecond(List<Run> runs) {
        return sum(runs, Run::requests) / sum(runs, Run::seconds);
    }

    private static double mean(List<Run> runs, ToDoubleFunction<Run> value) {
        return runs.stream().mapToDouble(value).average().orElseThrow();
    }

    private static String nodeVersion() throws IOException {
        Process version = new ProcessBuilder("node", "--version").start();
        return "Node " + new String(version.getInputStream().readAllBytes()).trim();
    }
}
