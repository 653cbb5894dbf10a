package io.vodflow.reconcile;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vodflow.config.VodflowConfig;
import io.vodflow.testing.NotificationsLost;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import io.vodflow.testing.VideoStates;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoStatus;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Videos whose messages were lost are finished by the reconciler. Upload notifications are never
 * consumed here, as if every one were lost; the test runs the reconciler at a time of its choosing
 * instead of waiting for the ages to pass.
 */
@QuarkusTest
@TestProfile(NotificationsLost.class)
class ReconcilerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SAMPLE = "h264_aac_320x240_main.mp4";

    @Inject
    Reconciler reconciler;

    @Inject
    VideoRepository videos;

    @Inject
    VodflowConfig config;

    @Inject
    S3Client s3;

    @Inject
    DynamoDbClient dynamo;

    @Test
    void anUploadThatNeverArrivesEndsCanceledAndItsPartsAreDiscarded() {
        JsonPath created = VideoApi.create("never.mp4", "video/mp4", 100L * 1024 * 1024);
        String id = created.getString("id");
        String uploadId = created.getString("upload.uploadId");
        assertThat(pendingUploads()).contains(uploadId);

        reconcile(Instant.now());
        assertThat(find(id).status()).as("not yet expired").isEqualTo(VideoStatus.AWAITING_UPLOAD);

        reconcile(Instant.now().plus(uploadAge()));
        Video expired = find(id);
        assertThat(expired.status()).isEqualTo(VideoStatus.CANCELED);
        assertThat(expired.error().code()).isEqualTo("UPLOAD_EXPIRED");
        assertThat(pendingUploads()).doesNotContain(uploadId);
        assertThat(given().get("/q/metrics").then().statusCode(200).extract().asString())
                .contains("vodflow_reconciler_corrections_total{action=\"expired\"}");

        long version = expired.version();
        reconcile(Instant.now().plus(uploadAge()).plus(silence()));
        assertThat(find(id).version()).as("a finished video is left alone").isEqualTo(version);
    }

    @Test
    void aFileWhoseNotificationWasLostIsTakenInAndTranscoded() {
        String id = VideoApi.upload(TestResources.media(SAMPLE), "video/mp4");
        assertThat(find(id).status()).isEqualTo(VideoStatus.AWAITING_UPLOAD);

        reconcile(Instant.now().plus(uploadAge()));

        JsonPath done = VideoApi.awaitStatus(id, "COMPLETE", Duration.ofMinutes(2));
        assertThat(done.getString("playback.masterPlaylist")).endsWith("master.m3u8");
    }

    @Test
    void anUploadWhoseTakeInsKeepStallingEndsInErrorAfterTheThird() {
        String stalledOnce = VideoApi.upload(TestResources.media(SAMPLE), "video/mp4");
        String stalledTwice = VideoApi.upload(TestResources.media(SAMPLE), "video/mp4");
        String stalledFourTimes = VideoApi.upload(TestResources.media(SAMPLE), "video/mp4");
        // As if a delivery of its notification had taken it a silence ago and got no further (its
        // replica died); for the others, then also one, or three, of the reconciler's own take-ins.
        // Long ago for the claim's lease too, which a take-in checks against the real time.
        Instant stalledSince = Instant.now().minus(silence());
        VideoStates.claim(videos, stalledOnce, "9b2c4e1a-0d6f-4c57-a3b1-5e8f7a6d2c10", stalledSince);
        VideoStates.claim(videos, stalledTwice, "reconciler-1-0f3e5d7c-2b1a-4e69-8c4d-7a9b1e2f3c40", stalledSince);
        VideoStates.claim(videos, stalledFourTimes, "reconciler-3-5a1d9e2b-7c4f-4b08-9e63-2d8a0c1f7b59", stalledSince);

        reconcile(Instant.now());

        VideoApi.awaitStatus(stalledOnce, "COMPLETE", Duration.ofMinutes(2));
        VideoApi.awaitStatus(stalledTwice, "COMPLETE", Duration.ofMinutes(2));
        Video ended = find(stalledFourTimes);
        assertThat(ended.status()).isEqualTo(VideoStatus.ERROR);
        assertThat(ended.error().code()).isEqualTo("INGEST_FAILED");
        assertThat(ended.error().message())
                .startsWith("The upload could not be processed: it stalled each of the 3 times it was taken in again");
        assertThat(given().get("/q/metrics").then().statusCode(200).extract().asString())
                .contains("vodflow_reconciler_corrections_total{action=\"gave-up\"}");
    }

    @Test
    void aJobWhoseEventsWereLostIsFinishedFromWhatTheEngineKept() {
        String id = VideoApi.upload(TestResources.media(SAMPLE), "video/mp4");
        reconcile(Instant.now().plus(uploadAge()));
        VideoApi.awaitStatus(id, "COMPLETE", Duration.ofMinutes(2));
        Video complete = find(id);

        // As if the COMPLETE event had been dead-lettered: the video still says PROGRESSING.
        videos.update(id, video -> VideoStates.of(video, VideoStatus.PROGRESSING, 1, video.job(), null))
                .await()
                .atMost(WAIT);
        reconcile(Instant.now().plus(silence()));

        Video finished = find(id);
        assertThat(finished.status()).isEqualTo(VideoStatus.COMPLETE);
        assertThat(finished.outputs()).isEqualTo(complete.outputs());
    }

    @Test
    void aJobTheEngineLostIsSubmittedAgainAndCompletes() {
        String id = VideoApi.upload(TestResources.media(SAMPLE), "video/mp4");
        reconcile(Instant.now().plus(uploadAge()));
        VideoApi.awaitStatus(id, "COMPLETE", Duration.ofMinutes(2));
        String jobId = find(id).job().id();

        // As if the job's message had been lost before any worker saw it: no trace in the engine.
        dynamo.deleteItem(delete -> delete.tableName(config.database().table())
                .key(Map.of("id", AttributeValue.fromS("local-job#" + jobId))));
        videos.update(id, video -> VideoStates.of(video, VideoStatus.SUBMITTED, 1, video.job(), null))
                .await()
                .atMost(WAIT);
        reconcile(Instant.now().plus(silence()));

        JsonPath done = VideoApi.awaitStatus(id, "COMPLETE", Duration.ofMinutes(2));
        assertThat(find(id).job().id()).as("the same job, run again").isEqualTo(jobId);
        assertThat(done.getString("playback.masterPlaylist")).endsWith("master.m3u8");
    }

    private void reconcile(Instant now) {
        reconciler.reconcile(now).await().atMost(Duration.ofMinutes(1));
    }

    private Duration silence() {
        return config.reconciler().silence().plusMinutes(1);
    }

    private Video find(String id) {
        return videos.find(id).await().atMost(WAIT);
    }

    /** Past the reconciler's patience with an upload: the longest URL lifetime, the grace, a minute. */
    private Duration uploadAge() {
        Duration single = config.upload().urlLifetime();
        Duration parts = config.upload().partUrlLifetime();
        return (single.compareTo(parts) > 0 ? single : parts)
                .plus(config.reconciler().uploadGrace())
                .plusMinutes(1);
    }

    private List<String> pendingUploads() {
        return s3.listMultipartUploads(list -> list.bucket(config.storage().inputBucket())).uploads().stream()
                .map(upload -> upload.uploadId())
                .toList();
    }
}
