package io.vodflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
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

    private static final Pattern EVENT_ID = Pattern.compile("(?m)^id: ?(\\d+)$");
    private static final Pattern EVENT_NAME = Pattern.compile("(?m)^event: ?(\\w+)$");

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
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            // The heap the issue allows, and the collector of the k8s/base pod (see ApiBenchmark): G1 with
            // -Dbench.collector=G1.
            List<String> options = new ArrayList<>(List.of("-Xmx256m", "-XX:+Use" + COLLECTOR + "GC"));
            // e.g. -Dbench.app-options=-XX:StartFlightRecording=filename=target/sse.jfr to profile the application
            options.addAll(PackagedApp.extraOptions());
            app.launch(java, options, Path.of("target", "sse-benchmark-app.log"));
            String token = app.token(Users.USER);

            Vertx vertx = Vertx.vertx();
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
        /** Arrival times per event, by "version status", one slot per subscriber. */
        final Map<String, AtomicLongArray> arrivals = new ConcurrentSkipListMap<>(
                Comparator.comparingLong((String event) -> Long.parseLong(event.substring(0, event.indexOf(' '))))
                        .thenComparing(Comparator.naturalOrder()));

        void follow(HttpClient client, String events, int index) {
            client.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(events))
                    .compose(request ->
                            request.putHeader("Accept", "text/event-stream").send())
                    .onSuccess(response -> {
                        if (response.statusCode() != 200) {
                            failed.incrementAndGet();
                            return;
                        }
                        StringBuilder text = new StringBuilder();
                        response.handler(chunk -> {
                            text.append(chunk.toString());
                            int end;
                            while ((end = text.indexOf("\n\n")) >= 0) {
                                arrived(text.substring(0, end), index);
                                text.delete(0, end + 2);
                            }
                        });
                        response.exceptionHandler(failure -> failed.incrementAndGet());
                    })
                    .onFailure(failure -> failed.incrementAndGet());
        }

        private void arrived(String event, int index) {
            long now = System.nanoTime();
            Matcher id = EVENT_ID.matcher(event);
            Matcher name = EVENT_NAME.matcher(event);
            if (!id.find() || !name.find()) {
                return; // a heartbeat
            }
            arrivals.computeIfAbsent(id.group(1) + " " + name.group(1), key -> new AtomicLongArray(SUBSCRIBERS))
                    .set(index, now);
            if (arrivals.size() == 1 || name.group(1).equals("AWAITING_UPLOAD")) {
                connected.incrementAndGet();
            }
            if (name.group(1).equals("COMPLETE")) {
                completed.incrementAndGet();
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
            for (Map.Entry<String, AtomicLongArray> event : arrivals.entrySet()) {
                long[] at = new long[SUBSCRIBERS];
                int received = 0;
                for (int i = 0; i < SUBSCRIBERS; i++) {
                    long time = event.getValue().get(i);
                    if (time != 0) {
                        at[received++] = time;
                    }
                }
                Arrays.sort(at, 0, received);
                report.append(String.format(
                        Locale.ROOT,
                        "  %-22s %5d subscribers  p50 %5.0f ms  p99 %5.0f ms  last %5.0f ms  first +%.0f ms%n",
                        event.getKey(),
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
                        HttpRequest.newBuilder(app.base().resolve("/q/metrics")).build(),
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
