package io.vodflow.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.vodflow.media.FfmpegTools;
import io.vodflow.testing.FfprobeJson;
import io.vodflow.testing.SseClient;
import io.vodflow.testing.TestMedia;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A video plays while the local engine still transcodes it: subscribers get a PROGRESSING event with
 * {@code playableAt} and {@code playback} long before COMPLETE, a player opens the stream at that
 * moment, and at the end the same playlists are complete VOD playlists.
 */
@QuarkusTest
class PlayableWhileTranscodingTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    FfmpegTools ffmpeg;

    @Test
    void aThirtySecondUploadPlaysBeforeItIsComplete(@TempDir Path dir) throws Exception {
        byte[] bytes = VideoApi.read(TestMedia.halfMinute720p(ffmpeg));
        JsonPath created = VideoApi.create("thirty.mp4", "video/mp4", bytes.length);
        String id = created.getString("id");

        Path earlyFirstSegment = dir.resolve("early-first-segment.ts");
        List<SseClient.Event> events;
        String hls;
        List<String> renditions;
        try (SseClient sse = SseClient.connect(HttpClient.newHttpClient(), base.resolve("/videos/" + id + "/events"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !sse.events().isEmpty());
            VideoApi.put(created.getString("upload.url"), created.getMap("upload.headers"), bytes);

            SseClient.Event playable = await().atMost(Duration.ofMinutes(2))
                    .until(() -> firstPlayable(sse.events()), Optional::isPresent)
                    .orElseThrow();
            assertThat(playable.name()).isEqualTo("PROGRESSING");
            String master =
                    playable.data().path("playback").path("masterPlaylist").asText();
            hls = master.substring(0, master.lastIndexOf('/') + 1);

            // At that moment, a player opens the stream: every rendition, with sound.
            JsonNode probed = FfprobeJson.probe(ffmpeg, base.resolve(master).toString());
            assertThat(probed.path("streams").findValuesAsText("codec_name")).contains("h264", "aac");
            renditions = RestAssured.get(master)
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString()
                    .lines()
                    .filter(line -> line.endsWith(".m3u8"))
                    .toList();
            assertThat(renditions).hasSizeGreaterThan(1);
            for (String rendition : renditions) {
                Response growing = RestAssured.get(hls + rendition);
                assertThat(growing.statusCode()).isEqualTo(200);
                assertThat(growing.header("Cache-Control"))
                        .as("players must see it grow")
                        .isEqualTo("private, max-age=1");
                String text = growing.asString();
                assertThat(text).contains("#EXT-X-PLAYLIST-TYPE:EVENT").doesNotContain("#EXT-X-ENDLIST");
                assertThat(durations(text).get(0))
                        .as("the first segment, short to be ready at once")
                        .isEqualTo(1.0);
                // Every segment it lists is already stored.
                text.lines().filter(line -> line.endsWith(".ts")).forEach(segment -> RestAssured.get(hls + segment)
                        .then()
                        .statusCode(200));
            }
            String firstSegment = renditions.get(0).replace(".m3u8", "_00001.ts");
            Files.write(earlyFirstSegment, RestAssured.get(hls + firstSegment).asByteArray());

            sse.ended().get(5, TimeUnit.MINUTES);
            events = sse.events();
        }

        List<String> names = events.stream().map(SseClient.Event::name).toList();
        assertThat(names.get(names.size() - 1)).isEqualTo("COMPLETE");
        assertThat(names.indexOf("COMPLETE"))
                .as("playable well before COMPLETE")
                .isGreaterThan(events.indexOf(firstPlayable(events).orElseThrow()) + 1);

        // The first segment a player got early is the finished one's twin: the same frames and sound at
        // the same times, so that the segments after it follow on, whichever of the two it played.
        String firstSegment = renditions.get(0).replace(".m3u8", "_00001.ts");
        // (Presentation times: the two encoders may order their B-frames differently.)
        assertThat(packetTimes(earlyFirstSegment.toString()))
                .isNotEmpty()
                .containsExactlyInAnyOrderElementsOf(
                        packetTimes(base.resolve(hls + firstSegment).toString()));

        for (String rendition : renditions) {
            Response finished = RestAssured.get(hls + rendition);
            assertThat(finished.header("Cache-Control")).isEqualTo("private, max-age=60");
            String text = finished.asString();
            assertThat(text).contains("#EXT-X-PLAYLIST-TYPE:VOD").endsWith("#EXT-X-ENDLIST\n");
            List<Double> durations = durations(text);
            assertThat(durations.get(0)).isEqualTo(1.0);
            assertThat(durations.subList(1, durations.size() - 1))
                    .as("after the first, the template's six-second segments")
                    .allSatisfy(duration -> assertThat(duration).isBetween(5.9, 6.1));
            assertThat(durations.stream().mapToDouble(Double::doubleValue).sum())
                    .isBetween(29.5, 30.5);
        }
    }

    /** Every packet of a segment, as its stream and presentation time. */
    private List<String> packetTimes(String input) {
        JsonNode probed = FfprobeJson.probe(ffmpeg, input, "-show_entries", "packet=stream_index,pts_time");
        List<String> times = new ArrayList<>();
        probed.path("packets")
                .forEach(packet -> times.add(packet.path("stream_index").asText() + "@"
                        + packet.path("pts_time").asText()));
        return times;
    }

    private static Optional<SseClient.Event> firstPlayable(List<SseClient.Event> events) {
        return events.stream()
                .filter(event -> event.data().hasNonNull("playableAt"))
                .findFirst();
    }

    private static List<Double> durations(String playlist) {
        return playlist.lines()
                .filter(line -> line.startsWith("#EXTINF:"))
                .map(line -> Double.parseDouble(line.substring(8, line.indexOf(','))))
                .toList();
    }
}
