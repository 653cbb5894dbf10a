package io.vodflow.transcode.local;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vodflow.config.VodflowConfig;
import io.vodflow.localcloud.LocalCloud;
import io.vodflow.media.FfmpegTools;
import io.vodflow.testing.ManagementInterface;
import io.vodflow.testing.Processes;
import io.vodflow.testing.ProductionSettings;
import io.vodflow.testing.TestMedia;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/**
 * Kills a worker replica in the middle of a job and starts another: the job is taken up again and
 * ends COMPLETE. Stops workers in an orderly way, as rollouts do, three times during one job: each
 * reports itself not ready and hands the job back without using up an attempt, and the job still ends
 * COMPLETE. The workers are the packaged production application, run as separate processes
 * against this test's embedded services, so this runs after {@code package}, as an integration test;
 * and run as k8s/self-hosted runs them, serving no API and holding no link-signing key.
 */
@QuarkusTest
@TestProfile(WorkerRecoveryIT.ApiOnly.class)
class WorkerRecoveryIT {

    /** This application only serves the API and consumes events; the worker processes transcode. */
    public static class ApiOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vodflow.local.worker-enabled", "false");
        }
    }

    @Inject
    VodflowConfig config;

    @Inject
    FfmpegTools ffmpeg;

    /** The management interface of each worker (its health checks), by name, as it logged it. */
    private final Map<String, URI> managementInterfaces = new ConcurrentHashMap<>();

    @Test
    void aJobWhoseWorkerIsKilledIsTakenUpAgainAndCompletes() throws Exception {
        Path source = TestMedia.halfMinute720p(ffmpeg);
        Process first = startWorker("first");
        Process second = null;
        try {
            String id = VideoApi.upload(source, "video/mp4");
            await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
                JsonPath video = given().get("/videos/" + id).then().extract().jsonPath();
                assertThat(video.getString("progress.phase")).isEqualTo("TRANSCODING");
            });

            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            second = startWorker("second");

            JsonPath video = VideoApi.awaitStatus(id, "COMPLETE", Duration.ofMinutes(5));
            assertThat(video.getList("playback.renditions")).hasSize(3);
            given().get(video.getString("playback.masterPlaylist")).then().statusCode(200);
            // Production logs JSON lines, each about a video carrying its id as a field.
            List<String> lines = Files.readAllLines(log("second"));
            assertThat(lines)
                    .anyMatch(line -> line.contains("Running job") && line.contains("\"videoId\":\"" + id + "\""));
            assertThat(lines)
                    .filteredOn(line -> line.contains("Management interface listening"))
                    .singleElement(InstanceOfAssertFactories.STRING)
                    .as("a worker listens on its management port only")
                    .doesNotContain("Listening on: http");
            assertThat(Processes.ffmpegRunningFor(id))
                    .as("no ffmpeg of the killed worker left running")
                    .isFalse();
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroyForcibly();
            }
        }
    }

    @Test
    void aJobWhoseWorkersAreStoppedThreeTimesStillCompletes() throws Exception {
        String id = VideoApi.upload(TestMedia.halfMinute720p(ffmpeg), "video/mp4");

        for (int stop = 1; stop <= 3; stop++) {
            String name = "stopped-" + stop;
            Process worker = startWorker(name);
            try {
                // Stopped mid-transcode: its ffmpeg runs.
                await().atMost(Duration.ofMinutes(2)).until(() -> worker.descendants()
                        .anyMatch(process -> process.info().command().orElse("").endsWith("ffmpeg")));
                assertThat(readiness(name).statusCode())
                        .as("ready while it works")
                        .isEqualTo(200);
            } finally {
                // SIGTERM, an orderly stop as in a rollout or a scale-in. Through the handle, unlike
                // Process.destroy(), which also closes the pipe the worker logs to.
                worker.toHandle().destroy();
            }
            // It drains: Kubernetes sees it not ready while it hands its job back and waits
            // quarkus.shutdown.delay for load balancers to notice.
            // The signal reaches the worker's JVM a moment after it was sent; then the check turns
            // for the whole of quarkus.shutdown.delay (5 s).
            HttpResponse<String> draining = await().atMost(Duration.ofSeconds(4))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> readiness(name), response -> response.statusCode() != 200);
            assertThat(draining.statusCode()).isEqualTo(503);
            assertThat(draining.body()).contains("Graceful Shutdown");
            assertThat(worker.waitFor(60, TimeUnit.SECONDS)).isTrue();
            // The log is copied by another thread, which may still be writing the worker's last lines.
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(Files.readString(log(name))).contains("Handed job"));
        }
        Process last = startWorker("after-three-stops");
        try {
            JsonPath video = VideoApi.awaitStatus(id, "COMPLETE", Duration.ofMinutes(5));
            assertThat(video.getList("playback.renditions")).hasSize(3);
        } finally {
            last.destroyForcibly();
        }
    }

    /** Starts the packaged application as a worker of this test's queues, tables and buckets. */
    private Process startWorker(String name) throws IOException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assertThat(jar)
                .as("the packaged application (./mvnw verify packages it first)")
                .exists();
        Map<String, String> settings = new HashMap<>(ProductionSettings.of(
                LocalCloud.Plan.of(config),
                config.queues().jobEvents(),
                config.queues().transcodeJobs().orElseThrow()));
        // As k8s/self-hosted runs them: no API, so no key to sign its links with.
        settings.remove("vodflow.auth.signing-key");
        settings.put("quarkus.http.host-enabled", "false");
        settings.put("quarkus.management.port", "0");
        settings.put("vodflow.local.visibility-timeout", "6s");
        settings.put("vodflow.local.status-update-interval", "1s");
        settings.put(
                "vodflow.local.work-dir",
                Path.of("target", "worker-recovery").toAbsolutePath().toString());
        // Workers only transcode here: this test's application takes every upload and event. A killed
        // process's pending long poll would otherwise take the next test's upload notification with
        // it, hidden for the queue's visibility timeout.
        settings.put("mp.messaging.incoming.uploads.enabled", "false");
        settings.put("mp.messaging.incoming.job-events.enabled", "false");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        settings.forEach((setting, value) -> command.add("-D" + setting + "=" + value));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Process process = builder.start();
        Path log = log(name);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread output = new Thread(
                () -> copyUntilReady(process, log, management -> managementInterfaces.put(name, management), ready),
                "worker-" + name + "-output");
        output.setDaemon(true);
        output.start();
        ready.orTimeout(60, TimeUnit.SECONDS).join();
        return process;
    }

    /** The worker's readiness check; with the JDK's client, as RestAssured would use this test's port. */
    private HttpResponse<String> readiness(String worker) throws IOException, InterruptedException {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(managementInterfaces.get(worker).resolve("/q/health/ready"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static Path log(String worker) {
        return Path.of("target", "worker-recovery-" + worker + ".log");
    }

    private static void copyUntilReady(
            Process process, Path log, Consumer<URI> listening, CompletableFuture<Void> ready) {
        try (BufferedReader lines =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                var out = Files.newBufferedWriter(log)) {
            String line;
            boolean working = false;
            while ((line = lines.readLine()) != null) {
                out.write(line);
                out.newLine();
                out.flush();
                working |= line.contains("Local transcoding worker running");
                // Quarkus says where it listens once every start-up observer, the worker's too, ran.
                Optional<URI> management = ManagementInterface.namedIn(line);
                if (management.isPresent()) {
                    listening.accept(management.get());
                    if (working) {
                        ready.complete(null);
                    }
                }
            }
            ready.completeExceptionally(new IllegalStateException("The worker stopped; see " + log));
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
    }
}
