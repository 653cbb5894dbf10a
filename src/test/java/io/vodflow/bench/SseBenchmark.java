package io.vodflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.Users;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SSE fan-out: {@value #SUBSCRIBERS} clients follow one video on one packaged application with a
 * 256 MB heap; the video is uploaded and transcoded; the benchmark prints how long after the first
 * subscriber the others received COMPLETE (p50, p99, last), and the heap the application used. It
 * does so twice, with a new video each time: the second, on warm JVMs, is the one measured.
 *
 * <p>Not a test (its name keeps it out of the default run): run {@code bench/sse.sh}. The client
 * shares the machine's cores with the application, as the issue asks.
 */
class SseBenchmark {

    static final int SUBSCRIBERS = 10_000;
    private static final String COLLECTOR = System.getProperty("bench.collector", "Serial");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEAP_USED =
            Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} (\\S+)$");

    private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

    @Test
    void oneChangeReachesEverySubscriber() throws Exception {
        Path clip = TestResources.media("h264_aac_320x240_main.mp4");
        try (PackagedApp app = PackagedApp.withEmbeddedServices()) {
            app.settings()
                    .put(
                            "vodflow.local.work-dir",
                            Path.of("target", "sse-benchmark-work")
                                    .toAbsolutePath()
                                    .toString());
            // Every subscriber follows a video of the benchmark's one account: past the limit per owner.
            app.settings().put("vodflow.status.streams-per-owner", Integer.toString(2 * SUBSCRIBERS));
            // Streams opened with an events link end once it expires: the run (minutes of connecting and
            // settling per video) must not outlast it.
            app.settings().put("vodflow.auth.events-link-lifetime", "1h");
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            // The heap the issue allows, and the collector of the k8s/base pod (see ApiBenchmark): G1 with
            // -Dbench.collector=G1.
            List<String> options = new ArrayList<>(List.of("-Xmx256m", "-XX:+Use" + COLLECTOR + "GC"));
            // e.g. -Dbench.app-options=-XX:StartFlightRecording=filename=target/sse.jfr to profile the application
            options.addAll(PackagedApp.extraOptions());
            app.launch(java, options, Path.of("target", "sse-benchmark-app.log"));
            String token = app.token(Users.USER);

            // Linux's epoll transport where it is available, as the application uses: the client's own
            // cost per event delays the events behind it, and would count as the application's spread.
            Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
            try {
                HttpClient client = vertx.createHttpClient(
                        new HttpClientOptions()
                                .setDefaultHost("127.0.0.1")
                                .setDefaultPort(app.base().getPort()),
                        new PoolOptions().setHttp1MaxSize(SUBSCRIBERS));
                // A running service has fanned changes out before: the first video's fan-out also compiles
                // its code, in both JVMs, on the same two cores. Both are reported; the second is measured.
                String cold = fanOut(app, token, client, clip, false);
                String warm = fanOut(app, token, client, clip, true);
                String report = "first video after start-up (the code still compiling):\n" + cold
                        + "\nsecond video (measured):\n" + warm;
                System.out.println("\n=== SSE fan-out benchmark ===\n" + report);
                Files.writeString(Path.of("target", "sse-benchmark.txt"), report);
            } finally {
                vertx.close().toCompletionStage().toCompletableFuture().join();
            }
        }
    }

    /**
     * Follows a new video with every subscriber, uploads it and waits for every COMPLETE.
     *
     * @param measured whether to take the histogram and profile asked for
     * @return the spread of each event, the heap and the CPU used
     */
    private String fanOut(PackagedApp app, String token, HttpClient client, Path clip, boolean measured)
            throws Exception {
        JsonNode created = post(
                app.base().resolve("/videos"),
                token,
                Map.of("fileName", "clip.mp4", "contentType", "video/mp4", "sizeBytes", Files.size(clip)));
        String id = created.path("id").asText();
        String events =
                get(app.base().resolve("/videos/" + id), token).path("events").asText();
        Subscribers subscribers = new Subscribers();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            subscribers.follow(client, events, i);
        }
        await().atMost(Duration.ofMinutes(3))
                .until(() -> subscribers.connected.get() + subscribers.failed.get() == SUBSCRIBERS);
        assertThat(subscribers.failed.get())
                .as("subscriptions refused or broken")
                .isZero();
        awaitQuiet(app);
        long heapConnected = heapUsed(app);
        // -Dbench.histogram=target/sse-histogram.txt writes what the heap holds with every stream open
        String histogram = System.getProperty("bench.histogram");
        if (measured && histogram != null) {
            Files.writeString(Path.of(histogram), jcmd(app, "GC.class_histogram"));
        }
        // -Dbench.profile=target/sse.jfr records the application from here to COMPLETE
        String profile = measured ? System.getProperty("bench.profile") : null;
        if (profile != null) {
            jcmd(app, "JFR.start", "name=fanout", "settings=profile");
        }

        long benchmark = ProcessHandle.current().pid();
        double appCpu = PackagedApp.cpuMillis(app.pid());
        double clientCpu = PackagedApp.cpuMillis(benchmark);
        long uploaded = System.nanoTime();
        HttpResponse<Void> put = upload(created.path("upload"), clip);
        assertThat(put.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofMinutes(3))
                .until(() -> subscribers.completed.get() + subscribers.failed.get() == SUBSCRIBERS);
        assertThat(subscribers.failed.get()).as("streams broken").isZero();
        String cpu = String.format(
                Locale.ROOT,
                "CPU from the upload to the last COMPLETE (%.1f s): application %.0f ms, benchmark client %.0f ms%n",
                (System.nanoTime() - uploaded) / 1e9,
                PackagedApp.cpuMillis(app.pid()) - appCpu,
                PackagedApp.cpuMillis(benchmark) - clientCpu);
        if (profile != null) {
            jcmd(app, "JFR.stop", "name=fanout", "filename=" + Path.of(profile).toAbsolutePath());
        }
        long heapAfter = heapUsed(app);
        return subscribers.report(heapConnected, heapAfter) + cpu;
    }

    /**
     * Waits until both JVMs are nearly idle: ten thousand streams opened within seconds leave their
     * compilers busy for a while, which viewers who came over minutes would not.
     */
    private static void awaitQuiet(PackagedApp app) {
        long benchmark = ProcessHandle.current().pid();
        double[] last = {-1};
        await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    double cpu = PackagedApp.cpuMillis(app.pid()) + PackagedApp.cpuMillis(benchmark);
                    boolean quiet = last[0] >= 0 && cpu - last[0] < 50; // under a tenth of a core
                    last[0] = cpu;
                    return quiet;
                });
    }

    /** Every subscriber's stream, and when each event reached each subscriber. */
    private static final class Subscribers {

        final AtomicInteger connected = new AtomicInteger();
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        /** Arrival times per event, by its id (the video's version). */
        final Map<Long, Arrivals> arrivals = new ConcurrentHashMap<>();

        /** One event's name and its arrival time at each subscriber (0 until it arrives). */
        record Arrivals(String name, AtomicLongArray at) {

            Arrivals(String name) {
                this(name, new AtomicLongArray(SUBSCRIBERS));
            }
        }

        void follow(HttpClient client, String events, int index) {
            client.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(events))
                    .compose(request ->
                            request.putHeader("Accept", "text/event-stream").send())
                    .onSuccess(response -> {
                        if (response.statusCode() != 200) {
                            failed.incrementAndGet();
                            return;
                        }
                        response.handler(new Follower(index));
                        response.exceptionHandler(failure -> failed.incrementAndGet());
                    })
                    .onFailure(failure -> failed.incrementAndGet());
        }

        /**
         * One subscriber's stream. Ten thousand of them share the client's event loops, so whatever a
         * chunk costs to read delays the chunks of the streams behind it, and would count as the
         * application's spread: each chunk's arrival time is taken first, and its frames are read as
         * bytes, with nothing decoded but a new event's name.
         */
        private final class Follower implements Handler<Buffer> {

            private final int index;
            /** The beginning of a frame whose end has not arrived yet, or null. */
            private Buffer partial;

            private boolean connected;

            Follower(int index) {
                this.index = index;
            }

            @Override
            public void handle(Buffer chunk) {
                long now = System.nanoTime();
                Buffer text = partial == null ? chunk : partial.appendBuffer(chunk);
                int start = 0;
                for (int end = frameEnd(text, start); end >= 0; end = frameEnd(text, start)) {
                    arrived(text, start, now);
                    start = end + 2;
                }
                partial = start == text.length() ? null : text.getBuffer(start, text.length());
            }

            /** Reads the frame at {@code start}, as the application writes it: {@code id:N\nevent:NAME\ndata:...}. */
            private void arrived(Buffer text, int start, long now) {
                if (text.getByte(start) == ':') {
                    return; // a heartbeat
                }
                int at = start + "id:".length();
                long version = 0;
                for (byte digit = text.getByte(at); digit != '\n'; digit = text.getByte(++at)) {
                    version = version * 10 + digit - '0';
                }
                int name = at + 1 + "event:".length();
                Arrivals event =
                        arrivals.computeIfAbsent(version, v -> new Arrivals(text.getString(name, lineEnd(text, name))));
                event.at().set(index, now);
                if (!connected) {
                    connected = true;
                    Subscribers.this.connected.incrementAndGet();
                }
                if (event.name().equals("COMPLETE")) {
                    completed.incrementAndGet();
                }
            }

            private static int frameEnd(Buffer text, int from) {
                for (int at = from; at + 1 < text.length(); at++) {
                    if (text.getByte(at) == '\n' && text.getByte(at + 1) == '\n') {
                        return at;
                    }
                }
                return -1;
            }

            private static int lineEnd(Buffer text, int from) {
                int at = from;
                while (text.getByte(at) != '\n') {
                    at++;
                }
                return at;
            }
        }

        /** Each event's spread after its first arrival, COMPLETE's being the one the issue sets a bound on. */
        String report(long heapConnected, long heapAfter) {
            StringBuilder report = new StringBuilder(String.format(
                    Locale.ROOT,
                    "subscribers: %d, all received COMPLETE%n"
                            + "application heap in use after a full GC (-Xmx256m, %s collector): %.0f MB with every"
                            + " stream open, %.0f MB after COMPLETE%n"
                            + "each event after its first arrival (p50, p99, last), and its first arrival after"
                            + " the previous event's:%n",
                    SUBSCRIBERS,
                    COLLECTOR,
                    heapConnected / 1e6,
                    heapAfter / 1e6));
            long previousFirst = 0;
            for (Map.Entry<Long, Arrivals> event : new TreeMap<>(arrivals).entrySet()) {
                long[] at = new long[SUBSCRIBERS];
                int received = 0;
                for (int i = 0; i < SUBSCRIBERS; i++) {
                    long time = event.getValue().at().get(i);
                    if (time != 0) {
                        at[received++] = time;
                    }
                }
                Arrays.sort(at, 0, received);
                report.append(String.format(
                        Locale.ROOT,
                        "  %-22s %5d subscribers  p50 %5.0f ms  p99 %5.0f ms  last %5.0f ms  first +%.0f ms%n",
                        event.getKey() + " " + event.getValue().name(),
                        received,
                        millis(at[received / 2] - at[0]),
                        millis(at[Math.max(0, received * 99 / 100 - 1)] - at[0]),
                        millis(at[received - 1] - at[0]),
                        previousFirst == 0 ? 0 : millis(at[0] - previousFirst)));
                previousFirst = at[0];
            }
            return report.toString();
        }

        private static double millis(long nanos) {
            return nanos / 1e6;
        }
    }

    /** Heap in use after a full collection, as the application's metrics report it, summed over its pools. */
    private long heapUsed(PackagedApp app) throws IOException, InterruptedException {
        jcmd(app, "GC.run");
        String metrics = http.send(
                        HttpRequest.newBuilder(app.management().resolve("/q/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher pool = HEAP_USED.matcher(metrics);
        double used = 0;
        while (pool.find()) {
            used += Double.parseDouble(pool.group(1));
        }
        return (long) used;
    }

    /** Runs a diagnostic command in the application and returns what it printed. */
    private static String jcmd(PackagedApp app, String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(app.pid())));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", line) + ": " + output).isZero();
        return output;
    }

    private JsonNode post(URI uri, String token, Map<String, Object> body) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        return JSON.readTree(answer.body());
    }

    private JsonNode get(URI uri, String token) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private HttpResponse<Void> upload(JsonNode upload, Path file) throws IOException, InterruptedException {
        HttpRequest.Builder put = HttpRequest.newBuilder(
                        URI.create(upload.path("url").asText()))
                .PUT(HttpRequest.BodyPublishers.ofFile(file));
        // The JDK's client sets Content-Length itself, from the file.
        upload.path("headers").fields().forEachRemaining(header -> {
            if (!header.getKey().equalsIgnoreCase("Content-Length")) {
                put.header(header.getKey(), header.getValue().asText());
            }
        });
        return http.send(put.build(), HttpResponse.BodyHandlers.discarding());
    }
}
