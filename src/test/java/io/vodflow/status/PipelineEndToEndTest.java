package io.vodflow.status;

import static io.vodflow.testing.Users.given;
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
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** From upload to a playing video, followed live over Server-Sent Events, on the local engine. */
@QuarkusTest
class PipelineEndToEndTest {

    private static final String SAMPLE = "h264_aac_320x240_main.mp4";

    @TestHTTPResource("/")
    URI base;

    @Inject
    FfmpegTools ffmpeg;

    @Test
    void anUploadIsFollowedLiveUntilItPlays() throws Exception {
        byte[] bytes = VideoApi.read(TestResources.media(SAMPLE));
        JsonPath created = VideoApi.create(SAMPLE, "video/mp4", bytes.length);
        String id = created.getString("id");
        HttpClient http = HttpClient.newHttpClient();

        List<SseClient.Event> events;
        try (SseClient sse = SseClient.connect(http, base.resolve("/videos/" + id + "/events"))) {
            assertThat(sse.response().statusCode()).isEqualTo(200);
            assertThat(sse.response().headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
            await().atMost(Duration.ofSeconds(10)).until(() -> !sse.events().isEmpty());
            assertThat(sse.events().get(0).name()).isEqualTo("AWAITING_UPLOAD");

            VideoApi.put(created.getString("upload.url"), created.getMap("upload.headers"), bytes);

            sse.ended().get(120, TimeUnit.SECONDS);
            events = sse.events();
        }

        List<String> names = events.stream().map(SseClient.Event::name).toList();
        assertThat(names).containsSubsequence("AWAITING_UPLOAD", "SUBMITTED", "PROGRESSING", "COMPLETE");
        assertThat(names.get(names.size() - 1)).isEqualTo("COMPLETE");
        assertThat(names.stream().filter("COMPLETE"::equals)).hasSize(1);
        List<Long> versions =
                events.stream().map(event -> Long.parseLong(event.id())).toList();
        assertThat(versions).isSorted().doesNotHaveDuplicates();
        assertThat(events)
                .allSatisfy(event ->
                        assertThat(event.data().path("version").asLong()).isEqualTo(Long.parseLong(event.id())));
        List<Integer> percents = events.stream()
                .filter(event -> event.name().equals("PROGRESSING"))
                .map(event -> event.data().path("progress").path("percent").asInt())
                .toList();
        assertThat(percents).isSorted();
        assertThat(percents.stream().distinct().count()).isGreaterThan(1);

        JsonNode complete = events.get(events.size() - 1).data();
        assertThat(complete.path("progress").path("percent").asInt()).isEqualTo(100);
        JsonNode playback = complete.path("playback");
        String masterUrl = playback.path("masterPlaylist").asText();
        assertThat(masterUrl).matches("/videos/" + id + "/play/[0-9]+\\.[A-Za-z0-9_-]+/hls/master\\.m3u8");
        // Players fetch the outputs with the link alone: no bearer token.
        String hls = masterUrl.substring(0, masterUrl.lastIndexOf('/') + 1);
        assertThat(playback.path("renditions")).hasSize(1);
        assertThat(playback.path("renditions").get(0).path("width").asInt()).isEqualTo(320);
        assertThat(playback.path("renditions").get(0).path("height").asInt()).isEqualTo(240);
        assertThat(playback.path("renditions").get(0).path("bitrate").asLong()).isPositive();
        assertThat(playback.path("thumbnails")).hasSize(2);

        // The outputs play through the service: playlists, segments and thumbnails.
        String master = RestAssured.get(masterUrl)
                .then()
                .statusCode(200)
                .contentType("application/vnd.apple.mpegurl")
                .extract()
                .asString();
        assertThat(master).startsWith("#EXTM3U").contains("master_240p.m3u8");
        String variant = RestAssured.get(hls + "master_240p.m3u8")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        String segment =
                variant.lines().filter(line -> line.endsWith(".ts")).findFirst().orElseThrow();
        Response whole = RestAssured.get(hls + segment);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.contentType()).isEqualTo("video/mp2t");
        assertThat(whole.header("Cache-Control")).contains("immutable");
        assertThat(whole.header("Content-Length") == null || whole.header("Transfer-Encoding") == null)
                .as("Content-Length and chunked transfer encoding exclude each other")
                .isTrue();
        // A player that has the segment already is told so, without the bytes again.
        Response current = RestAssured.given()
                .header("If-None-Match", whole.header("ETag"))
                .get(hls + segment);
        assertThat(current.statusCode()).isEqualTo(304);
        assertThat(current.asByteArray()).isEmpty();
        // As the 200 would say it: the stored file's ETag, and how long the file may be kept.
        assertThat(current.header("ETag")).isEqualTo(whole.header("ETag"));
        assertThat(current.header("Cache-Control")).isEqualTo(whole.header("Cache-Control"));
        // A HEAD says the segment's length, from storage's metadata, without its bytes.
        Response head = RestAssured.head(hls + segment);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.contentType()).isEqualTo("video/mp2t");
        assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(whole.asByteArray().length));
        assertThat(head.header("ETag")).isEqualTo(whole.header("ETag"));
        assertThat(head.header("Cache-Control")).isEqualTo(whole.header("Cache-Control"));
        assertThat(head.asByteArray()).isEmpty();
        assertThat(RestAssured.given()
                        .header("If-None-Match", whole.header("ETag"))
                        .head(hls + segment)
                        .statusCode())
                .isEqualTo(304);
        assertThat(RestAssured.head(hls + "master_240p_99999.ts").statusCode()).isEqualTo(404);
        Response part = RestAssured.given().header("Range", "bytes=0-187").get(hls + segment);
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.asByteArray()).hasSize(188).startsWith((byte) 0x47);
        RestAssured.get(playback.path("thumbnails").get(0).asText())
                .then()
                .statusCode(200)
                .contentType("image/jpeg");

        JsonNode probed = FfprobeJson.probe(
                ffmpeg, base.resolve(playback.path("masterPlaylist").asText()).toString());
        assertThat(probed.path("streams").findValuesAsText("codec_name")).contains("h264", "aac");

        // Operators see it in the metrics.
        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .contains("vodflow_videos_finished_total{backend=\"local\",outcome=\"complete\"}")
                .contains("vodflow_job_duration_seconds_count{backend=\"local\",outcome=\"complete\"}")
                .contains("vodflow_upload_to_complete_seconds_count{backend=\"local\"}")
                .contains("vodflow_consumer_lag_seconds_count{queue=\"vodflow-uploads\"}")
                .contains("vodflow_consumer_lag_seconds_count{queue=\"vodflow-job-events\"}")
                .contains("vodflow_sse_subscribers");
    }
}
