package io.vodflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vodflow.media.FfmpegTools;
import io.vodflow.testing.FfprobeJson;
import io.vodflow.testing.SseClient;
import io.vodflow.testing.TestMedia;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How soon an upload plays, on one generated 60 s 1080p30 source with audio, uploaded through the API
 * in one PUT and transcoded by the local engine with the bundled template:
 *
 * <ul>
 *   <li>(a) from the end of the upload to the video being playable: its Server-Sent Event carries
 *       {@code playableAt} (checked then: ffprobe reads the master playlist, every rendition has a
 *       stored segment);
 *   <li>(b) from the end of the upload to COMPLETE.
 * </ul>
 *
 * The service first takes one short video through the whole pipeline, as a running service has: the
 * measured video then meets a warm JVM, not one loading and compiling the pipeline's code as it goes.
 * Not a test (its name keeps it out of the default run): run {@code bench/playable.sh}. Both times
 * come from one run, and (a)/(b) is their ratio.
 */
@QuarkusTest
@TestProfile(PlayableBenchmark.Profile.class)
class PlayableBenchmark {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The source goes up in one PUT; the engine uses its production settings.
            return Map.of("vodflow.upload.multipart-threshold", "1G", "vodflow.local.status-update-interval", "10s");
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Inject
    FfmpegTools ffmpeg;

    @Test
    void uploadEndToPlayableAndToComplete() throws Exception {
        String warmUp = VideoApi.upload(TestMedia.camera1080p(ffmpeg, 10), "video/mp4");
        VideoApi.awaitStatus(warmUp, "COMPLETE", Duration.ofMinutes(5));

        Path source = TestMedia.camera1080p(ffmpeg, 60);
        byte[] bytes = Files.readAllBytes(source);
        JsonPath created = VideoApi.create(source.getFileName().toString(), "video/mp4", bytes.length);
        String id = created.getString("id");

        // Followed as a page would, over Server-Sent Events: polling would take CPU from the encoder.
        try (SseClient sse = SseClient.connect(HttpClient.newHttpClient(), base.resolve("/videos/" + id + "/events"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !sse.events().isEmpty());
            HttpResponse<String> put =
                    VideoApi.put(created.getString("upload.url"), created.getMap("upload.headers"), bytes);
            long uploaded = System.nanoTime();
            assertThat(put.statusCode()).isEqualTo(200);

            SseClient.Event playable = await().atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofMillis(10))
                    .until(
                            () -> sse.events().stream()
                                    .filter(event -> event.data().hasNonNull("playableAt"))
                                    .findFirst(),
                            Optional::isPresent)
                    .orElseThrow();
            double toPlayable = seconds(uploaded);
            checkPlayable(
                    playable.data().path("playback").path("masterPlaylist").asText());

            sse.ended().get(30, TimeUnit.MINUTES);
            double toComplete = seconds(uploaded);
            assertThat(sse.events().get(sse.events().size() - 1).name()).isEqualTo("COMPLETE");

            String report = String.format(
                    Locale.ROOT,
                    "upload end to playable (a): %.2f s (status then: %s)%nupload end to COMPLETE (b): %.1f s%n"
                            + "(a)/(b) = %.3f%n",
                    toPlayable,
                    playable.name(),
                    toComplete,
                    toPlayable / toComplete);
            System.out.println("\n=== Playable benchmark ===\n" + report);
            Files.writeString(Path.of("target", "playable-benchmark.txt"), report);
        }
    }

    /** What "playable" promises: a player reads the master, and every rendition has a stored segment. */
    private void checkPlayable(String master) {
        JsonNode probed = FfprobeJson.probe(ffmpeg, base.resolve(master).toString());
        assertThat(probed.path("streams").findValuesAsText("codec_name")).contains("h264", "aac");
        String hls = master.substring(0, master.lastIndexOf('/') + 1);
        List<String> renditions = RestAssured.get(master)
                .asString()
                .lines()
                .filter(line -> line.endsWith(".m3u8"))
                .toList();
        assertThat(renditions).hasSize(4);
        for (String rendition : renditions) {
            String segment = RestAssured.get(hls + rendition)
                    .asString()
                    .lines()
                    .filter(line -> line.endsWith(".ts"))
                    .findFirst()
                    .orElseThrow();
            RestAssured.get(hls + segment).then().statusCode(200);
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
