package io.vodflow.chaos;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vodflow.config.VodflowConfig;
import io.vodflow.ingest.IngestService;
import io.vodflow.reconcile.Reconciler;
import io.vodflow.storage.VideoKeys;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The service dies or fails at a step of the pipeline; the next replica, a redelivery or the
 * reconciler carries the video on. In each case it ends in one terminal state, its one job ran to
 * completion once, and storage holds exactly what the video refers to. The reconciler runs at a time
 * the test chooses, so these take seconds.
 *
 * <p>The other cases of the suite live beside the code they exercise: a crash between CreateJob and
 * the SUBMITTED write ({@code SubmissionAfterCrashTest}), a worker killed mid-transcode or stopped
 * three times ({@code WorkerRecoveryIT}), events replayed, duplicated and reordered
 * ({@code EventOrderTest}), a dead-lettered or lost event and a job the engine lost
 * ({@code ReconcilerTest}), outputs landing after a delete ({@code LateOutputsTest}).
 */
@QuarkusTest
@TestProfile(NotificationsLost.class)
class ChaosTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SAMPLE = "h264_aac_320x240_main.mp4";
    private static final Pattern URI_ATTRIBUTE = Pattern.compile("URI=\"([^\"]+)\"");

    @Inject
    Reconciler reconciler;

    @Inject
    IngestService ingest;

    @Inject
    VideoRepository videos;

    @Inject
    VodflowConfig config;

    @Inject
    S3Client s3;

    @Inject
    DynamoDbClient dynamo;

    @Test
    void aConsumerThatDiedAfterTheClaimIsReplacedOnceItsClaimLapses() {
        String id = VideoApi.upload(TestResources.media(SAMPLE), "video/mp4");
        // The consumer that claimed the upload died long ago, before it probed or submitted anything.
        Instant crash = Instant.now().minus(config.reconciler().silence()).minusSeconds(60);
        VideoStates.claim(videos, id, "crashed-delivery", crash);
        assertThat(find(id).status()).isEqualTo(VideoStatus.UPLOADED);

        reconcile(Instant.now());

        VideoApi.awaitStatus(id, "COMPLETE", Duration.ofMinutes(2));
        assertRanOnceToCompletion(id);
        assertStorageHoldsExactlyTheOutputs(id);

        // Replays of the notification after the end change nothing.
        long version = find(id).version();
        deliver(id, "crashed-delivery");
        deliver(id, "late-replay");
        assertThat(find(id).version()).isEqualTo(version);
    }

    @Test
    void aRunThatDiedWhileUploadingItsOutputsIsRunAgainAndLeavesNoStrays() {
        String id = completedVideo();
        Video complete = find(id);
        String jobId = complete.job().id();
        List<String> outputs = keys(config.storage().outputBucket(), VideoKeys.outputs(id));

        // As if the worker died half way through uploading: part of the outputs stored, the end never
        // reported, the lease of the dead run left to lapse, the video still PROGRESSING.
        outputs.subList(0, outputs.size() / 2)
                .forEach(key -> s3.deleteObject(
                        delete -> delete.bucket(config.storage().outputBucket()).key(key)));
        dynamo.putItem(put -> put.tableName(config.database().table())
                .item(Map.of(
                        "id", AttributeValue.fromS("local-job#" + jobId),
                        "holder", AttributeValue.fromS("dead-worker"),
                        "leaseUntil", AttributeValue.fromN(Long.toString(System.currentTimeMillis() - 1)))));
        videos.update(id, video -> VideoStates.of(video, VideoStatus.PROGRESSING, 1, video.job(), null))
                .await()
                .atMost(WAIT);

        reconcile(Instant.now().plus(config.reconciler().silence()).plusSeconds(60));

        VideoApi.awaitStatus(id, "COMPLETE", Duration.ofMinutes(2));
        Video again = find(id);
        assertThat(again.job().id()).as("the same job, run again").isEqualTo(jobId);
        assertThat(again.outputs()).isEqualTo(complete.outputs());
        assertThat(ledger(jobId).get("failures").n())
                .as("the dead run counts as one failed run")
                .isEqualTo("1");
        assertThat(keys(config.storage().outputBucket(), VideoKeys.outputs(id)))
                .containsExactlyInAnyOrderElementsOf(outputs);
        assertStorageHoldsExactlyTheOutputs(id);
    }

    @Test
    void aDeleteCutShortIsHiddenAtOnceAndFinishedLater() {
        String id = completedVideo();
        // As if the replica deleting it died right after marking it.
        videos.update(id, video -> video.deleting(Instant.now())).await().atMost(WAIT);

        given().get("/videos/" + id).then().statusCode(404);
        assertThat(given().queryParam("limit", 100)
                        .get("/videos")
                        .then()
                        .extract()
                        .jsonPath()
                        .getList("items.id"))
                .doesNotContain(id);
        reconcile(Instant.now());
        assertThat(find(id)).as("not yet given up on").isNotNull();

        reconcile(Instant.now().plus(config.reconciler().unfinishedDelete()).plusSeconds(1));
        assertThat(find(id)).as("the record goes last").isNull();
        assertThat(keys(config.storage().inputBucket(), VideoKeys.UPLOADS_PREFIX + id + "/"))
                .isEmpty();
        assertThat(keys(config.storage().outputBucket(), VideoKeys.outputs(id))).isEmpty();
        assertThat(given().get("/q/metrics").then().statusCode(200).extract().asString())
                .contains("vodflow_reconciler_corrections_total{action=\"deleted\"}");
    }

    @Test
    void aFileUploadedWhileItsVideoIsBeingDeletedIsRemoved() {
        byte[] bytes = VideoApi.read(TestResources.media(SAMPLE));
        JsonPath created = VideoApi.create(SAMPLE, "video/mp4", bytes.length);
        String id = created.getString("id");
        // The delete has marked the video, and goes on with the rest.
        videos.update(id, video -> video.deleting(Instant.now())).await().atMost(WAIT);

        assertThat(VideoApi.put(created.getString("upload.url"), created.getMap("upload.headers"), bytes)
                        .statusCode())
                .isEqualTo(200);
        deliver(id, "notification-after-delete");

        assertThat(keys(config.storage().inputBucket(), VideoKeys.source(id))).isEmpty();
        assertThat(find(id).status()).isEqualTo(VideoStatus.AWAITING_UPLOAD);
    }

    /** An uploaded video, taken in and transcoded to the end. */
    private String completedVideo() {
        String id = VideoApi.upload(TestResources.media(SAMPLE), "video/mp4");
        deliver(id, "delivery-" + id);
        VideoApi.awaitStatus(id, "COMPLETE", Duration.ofMinutes(2));
        return id;
    }

    /** Delivers the upload notification of {@code id}, as the uploads consumer would. */
    private void deliver(String id, String deliveryId) {
        ingest.ingest(VideoKeys.source(id), deliveryId).await().atMost(Duration.ofMinutes(1));
    }

    /** One job, whose one ending run reported COMPLETE, and no run of it failed. */
    private void assertRanOnceToCompletion(String id) {
        Video video = find(id);
        assertThat(video.attempt()).isEqualTo(1);
        Map<String, AttributeValue> job = ledger(video.job().id());
        assertThat(job.get("finalEvent").s()).contains("\"COMPLETE\"");
        assertThat(job).doesNotContainKey("failures");
    }

    /**
     * The output bucket holds, under the video's prefix, exactly what its playlists and thumbnails
     * name: nothing missing, nothing stray.
     */
    private void assertStorageHoldsExactlyTheOutputs(String id) {
        Video.Outputs outputs = find(id).outputs();
        Set<String> named = new HashSet<>(outputs.thumbnailKeys());
        named.add(outputs.masterPlaylistKey());
        for (String playlist : referencedBy(outputs.masterPlaylistKey())) {
            named.add(playlist);
            named.addAll(referencedBy(playlist));
        }
        assertThat(keys(config.storage().outputBucket(), VideoKeys.outputs(id)))
                .containsExactlyInAnyOrderElementsOf(named);
    }

    /** The keys of the files a playlist names, resolved against its own key. */
    private List<String> referencedBy(String playlistKey) {
        String directory = playlistKey.substring(0, playlistKey.lastIndexOf('/') + 1);
        String text = s3.getObjectAsBytes(
                        get -> get.bucket(config.storage().outputBucket()).key(playlistKey))
                .asUtf8String();
        List<String> names = new ArrayList<>();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                names.add(directory + trimmed);
            }
            Matcher uri = URI_ATTRIBUTE.matcher(trimmed);
            while (trimmed.startsWith("#") && uri.find()) {
                names.add(directory + uri.group(1));
            }
        }
        return names;
    }

    private Map<String, AttributeValue> ledger(String jobId) {
        return dynamo.getItem(get -> get.tableName(config.database().table())
                        .key(Map.of("id", AttributeValue.fromS("local-job#" + jobId)))
                        .consistentRead(true))
                .item();
    }

    private List<String> keys(String bucket, String prefix) {
        return s3.listObjectsV2Paginator(list -> list.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key)
                .toList();
    }

    private Video find(String id) {
        return videos.find(id).await().atMost(WAIT);
    }

    private void reconcile(Instant now) {
        reconciler.reconcile(now).await().atMost(Duration.ofMinutes(1));
    }
}
