package io.vodflow.transcode;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vodflow.config.VodflowConfig;
import io.vodflow.media.FfmpegTools;
import io.vodflow.reconcile.Reconciler;
import io.vodflow.testing.FfprobeJson;
import io.vodflow.testing.MediaConvertStub;
import io.vodflow.testing.MediaConvertStubResource;
import io.vodflow.testing.Processes;
import io.vodflow.testing.Queues;
import io.vodflow.testing.StoredOutputs;
import io.vodflow.testing.TestMedia;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * Fast start in front of MediaConvert: while the MediaConvert stub holds its job's COMPLETE back, the
 * video plays from the local engine's preview; MediaConvert's COMPLETE replaces the preview with its
 * own outputs, and the preview's files go.
 */
@QuarkusTest
@WithTestResource(MediaConvertStubResource.class)
@TestProfile(FastStartTest.Enabled.class)
class FastStartTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    public static class Enabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vodflow.fast-start.enabled", "true");
        }
    }

    @MediaConvertStubResource.Stub
    MediaConvertStub mediaConvert;

    @Inject
    FfmpegTools ffmpeg;

    @Inject
    VodflowConfig config;

    @Inject
    Reconciler reconciler;

    @Inject
    S3Client s3;

    @Inject
    SqsAsyncClient sqs;

    @TestHTTPResource("/")
    URI base;

    @Test
    void theVideoPlaysFromThePreviewUntilMediaConvertCompletesThenFromMediaConvertsOutputsOnly() {
        String id = VideoApi.upload(TestMedia.testPattern(ffmpeg, 1280, 720, 4, true), "video/mp4");

        JsonPath playable = VideoApi.awaitPlayable(id, TIMEOUT);
        assertThat(playable.getString("status")).isIn("SUBMITTED", "PROGRESSING");
        String previewMaster = playable.getString("playback.masterPlaylist");
        assertThat(previewMaster).endsWith("/hls/preview.m3u8");
        assertThat(given().get(previewMaster).then().statusCode(200).extract().asString())
                .as("the preview is the ladder's lowest rendition only")
                .contains("preview_360p.m3u8")
                .doesNotContain("_720p", "_480p");
        JsonNode stream = FfprobeJson.probe(ffmpeg, base.resolve(previewMaster).toString());
        assertThat(stream.path("streams").findValuesAsText("height")).contains("360");

        // The preview runs to its end on the local engine; its end is not the video's.
        String previewPlaylist = "videos/" + id + "/hls/preview_360p.m3u8";
        await().atMost(TIMEOUT).until(() -> stored(previewPlaylist).contains("#EXT-X-ENDLIST"));
        new Queues(sqs).awaitDrained(config.queues().jobEvents(), TIMEOUT);
        JsonPath previewDone = VideoApi.awaitStatus(id, playable.getString("status"), TIMEOUT);
        assertThat(previewDone.getString("playback.masterPlaylist")).endsWith("/hls/preview.m3u8");
        assertThat(mediaConvert.createJobRequests(id))
                .as("the preview is not MediaConvert's")
                .hasSize(1);

        List<String> variants = mediaConvertWrites(id);
        mediaConvert.complete(mediaConvert.jobId(id, 1));
        reconcileAfterSilence();

        JsonPath complete = VideoApi.awaitStatus(id, "COMPLETE", TIMEOUT);
        String master = complete.getString("playback.masterPlaylist");
        assertThat(master).endsWith("/hls/master.m3u8");
        assertThat(given().get(master).then().statusCode(200).extract().asString())
                .as("MediaConvert's master playlist")
                .contains(variants)
                .doesNotContain("preview");
        assertThat(complete.getList("playback.renditions")).hasSize(variants.size());
        await().atMost(TIMEOUT)
                .untilAsserted(() ->
                        assertThat(previewKeys(id)).as("the preview's files").isEmpty());
    }

    @Test
    void mediaConvertCompletingFirstStopsThePreviewAndRemovesIt() {
        String id = VideoApi.upload(TestMedia.long720p(ffmpeg, 60), "video/mp4");
        VideoApi.awaitPlayable(id, TIMEOUT);
        assertThat(Processes.ffmpegRunningFor(id))
                .as("the preview still encodes")
                .isTrue();

        List<String> variants = mediaConvertWrites(id);
        mediaConvert.complete(mediaConvert.jobId(id, 1));
        reconcileAfterSilence();

        JsonPath complete = VideoApi.awaitStatus(id, "COMPLETE", TIMEOUT);
        assertThat(complete.getList("playback.renditions")).hasSize(variants.size());
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(Processes.ffmpegRunningFor(id))
                    .as("the preview's ffmpeg")
                    .isFalse();
            assertThat(previewKeys(id)).as("the preview's files").isEmpty();
        });
    }

    @Test
    void theEndOfAJobTheVideoDoesNotWaitForLeavesItsPreviewPlaying() {
        String id = VideoApi.upload(TestMedia.long720p(ffmpeg, 60), "video/mp4");
        VideoApi.awaitPlayable(id, TIMEOUT);

        // The ERROR of another job of the attempt than the one recorded: a duplicate's, or a forged one.
        ObjectNode foreign = TestResources.jobEvent(
                "error.json", id, "s3://" + config.storage().outputBucket() + "/videos/" + id + "/");
        assertThat(foreign.path("detail").path("jobId").asText()).isNotEqualTo(mediaConvert.jobId(id, 1));
        Queues queues = new Queues(sqs);
        queues.send(config.queues().jobEvents(), foreign.toString());
        queues.awaitDrained(config.queues().jobEvents(), TIMEOUT);

        JsonPath after =
                given().get("/videos/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(after.getString("status")).isIn("SUBMITTED", "PROGRESSING");
        assertThat(after.getString("playback.masterPlaylist")).endsWith("/hls/preview.m3u8");
        assertThat(previewKeys(id)).as("the preview's files").isNotEmpty();

        given().delete("/videos/" + id).then().statusCode(204);
        await().atMost(TIMEOUT).until(() -> !Processes.ffmpegRunningFor(id));
    }

    private List<S3Object> previewKeys(String id) {
        return s3.listObjectsV2(
                        list -> list.bucket(config.storage().outputBucket()).prefix("videos/" + id + "/hls/preview"))
                .contents();
    }

    private void reconcileAfterSilence() {
        reconciler
                .reconcile(Instant.now().plus(config.reconciler().silence()).plusSeconds(60))
                .await()
                .atMost(Duration.ofMinutes(1));
    }

    /** What MediaConvert would have written where the job's settings told it to; the variants' names. */
    private List<String> mediaConvertWrites(String id) {
        List<String> variants = mediaConvert.hlsVariants(id);
        StoredOutputs.write(s3, config.storage().outputBucket(), "videos/" + id + "/hls/master.m3u8", variants);
        return variants;
    }

    private String stored(String key) {
        try {
            return s3.getObjectAsBytes(
                            get -> get.bucket(config.storage().outputBucket()).key(key))
                    .asUtf8String();
        } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
            return "";
        }
    }
}
