package io.vodflow.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.vodflow.config.VodflowConfig;
import io.vodflow.storage.VideoKeys;
import io.vodflow.testing.StoredOutputs;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoStates;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoStatus;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Job events arrive at least once and in any order. Built from AWS's documented samples (with both
 * spellings of the QVBR fields), every order of a sequence, with duplicates, must end in the same
 * record, and replaying it must change nothing: not even the version.
 */
@QuarkusTest
class EventOrderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JOB = "1536964333549-opn151";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    JobEventApplier status;

    @Inject
    VideoRepository videos;

    @Inject
    VodflowConfig config;

    @Inject
    S3Client s3;

    @Test
    void everyOrderOfASuccessfulJobEndsInTheSameRecord() throws IOException {
        List<JsonNode> events = List.of(
                sample("progressing.json"),
                sample("input-information.json"),
                sample("status-update.json"),
                sample("complete-hls-and-frames.json"),
                withOtherQvbrSpelling(sample("complete-hls-and-frames.json")));

        Video reference = null;
        for (List<JsonNode> order : permutations(events)) {
            Video end = applyInOrder(order);
            assertThat(end.status()).isEqualTo(VideoStatus.COMPLETE);
            if (reference == null) {
                reference = end;
                assertThat(end.job().percent()).isEqualTo(100);
                assertThat(end.job().startedAt()).isNotNull();
                String prefix = VideoKeys.outputs(end.id());
                assertThat(end.outputs().masterPlaylistKey()).isEqualTo(prefix + "hls/main.m3u8");
                assertThat(end.outputs().renditions())
                        .extracting(rendition -> rendition.width() + "x" + rendition.height())
                        .containsExactly("426x240", "1280x720");
                assertThat(end.outputs().thumbnailKeys())
                        .hasSize(37)
                        .startsWith(prefix + "frameoutput/file.0000000.jpg")
                        .endsWith(prefix + "frameoutput/file.0000036.jpg");
                assertThat(end.outputs().durationMs()).isEqualTo(180041);
            }
            assertThat(comparable(end)).as("after %s", names(order)).isEqualTo(comparable(reference));

            for (JsonNode event : order) {
                apply(end.id(), event);
            }
            assertThat(videos.find(end.id()).await().atMost(WAIT).version())
                    .as("replaying %s", names(order))
                    .isEqualTo(end.version());
            videos.delete(end.id()).await().atMost(WAIT);
        }
    }

    @Test
    void everyOrderOfAFailedJobEndsInTheSameRecord() throws IOException {
        List<JsonNode> events = List.of(
                sample("progressing.json"), sample("status-update.json"), sample("error.json"), sample("error.json"));

        Video reference = null;
        for (List<JsonNode> order : permutations(events)) {
            Video end = applyInOrder(order);
            assertThat(end.status()).isEqualTo(VideoStatus.ERROR);
            assertThat(end.error().message()).isNotBlank();
            reference = reference == null ? end : reference;
            assertThat(comparable(end)).as("after %s", names(order)).isEqualTo(comparable(reference));
            videos.delete(end.id()).await().atMost(WAIT);
        }
    }

    @Test
    void eventsOfAnOlderAttemptAreIgnored() throws IOException {
        Video video = submittedVideo(2);
        ObjectNode complete = forVideo(sample("complete-hls-and-frames.json"), video.id());
        ((ObjectNode) complete.path("detail").path("userMetadata")).put("attempt", "1");

        apply(video.id(), complete);

        Video after = videos.find(video.id()).await().atMost(WAIT);
        assertThat(after.status()).isEqualTo(VideoStatus.SUBMITTED);
        assertThat(after.version()).isEqualTo(video.version());
        videos.delete(video.id()).await().atMost(WAIT);
    }

    @Test
    void anEventForAVideoNeverUploadedChangesNothing() throws IOException {
        Video created = awaitingUpload();
        String id = created.id();

        apply(id, sample("progressing.json"));
        apply(id, sample("complete-hls-and-frames.json"));

        Video after = videos.find(id).await().atMost(WAIT);
        assertThat(after.status()).isEqualTo(VideoStatus.AWAITING_UPLOAD);
        assertThat(after.version()).isEqualTo(created.version());
        videos.delete(id).await().atMost(WAIT);
    }

    @Test
    void aCompleteJobWhoseOutputsDoNotPlayEndsInErrorSayingWhy() throws IOException {
        Video video = submittedVideo(1);
        String hls = VideoKeys.outputs(video.id()) + "hls/";
        s3.deleteObject(delete -> delete.bucket(config.storage().outputBucket()).key(hls + "mainv1_00001.ts"));

        apply(video.id(), sample("complete-hls-and-frames.json"));

        Video after = videos.find(video.id()).await().atMost(WAIT);
        assertThat(after.status()).isEqualTo(VideoStatus.ERROR);
        assertThat(after.error().code()).isEqualTo("OUTPUTS_UNPLAYABLE");
        assertThat(after.error().message()).contains("mainv1_00001.ts");
        assertThat(after.outputs()).isNull();
        videos.delete(video.id()).await().atMost(WAIT);
    }

    @Test
    void aCompleteJobWithoutItsMasterPlaylistEndsInError() throws IOException {
        Video video = submittedVideo(1);
        s3.deleteObject(delete ->
                delete.bucket(config.storage().outputBucket()).key(VideoKeys.outputs(video.id()) + "hls/main.m3u8"));

        apply(video.id(), sample("complete-hls-and-frames.json"));

        Video after = videos.find(video.id()).await().atMost(WAIT);
        assertThat(after.status()).isEqualTo(VideoStatus.ERROR);
        assertThat(after.error().message()).contains("master playlist is not in storage");
        videos.delete(video.id()).await().atMost(WAIT);
    }

    @Test
    void anEventWithoutUserMetadataFindsItsVideoByJobId() throws IOException {
        String jobId = "1700000000000-" + System.nanoTime();
        Video video = submittedVideo(1, jobId);
        ObjectNode progressing = (ObjectNode) sample("progressing.json");
        ((ObjectNode) progressing.path("detail")).put("jobId", jobId);
        ((ObjectNode) progressing.path("detail")).remove("userMetadata");

        status.apply(JobEvent.parse(progressing)).await().atMost(WAIT);

        assertThat(videos.find(video.id()).await().atMost(WAIT).status()).isEqualTo(VideoStatus.PROGRESSING);
        videos.delete(video.id()).await().atMost(WAIT);
    }

    private Video applyInOrder(List<JsonNode> order) {
        Video video = submittedVideo(1);
        for (JsonNode event : order) {
            apply(video.id(), event);
        }
        return videos.find(video.id()).await().atMost(WAIT);
    }

    private void apply(String videoId, JsonNode event) {
        status.apply(JobEvent.parse(forVideo(event, videoId))).await().atMost(WAIT);
    }

    /** A video as ingest leaves it: SUBMITTED with the job's id. */
    private Video submittedVideo(int attempt) {
        return submittedVideo(attempt, JOB);
    }

    /** A video as creating it leaves it: AWAITING_UPLOAD. */
    private Video awaitingUpload() {
        return videos.insert(VideoStates.awaitingUpload()).await().atMost(WAIT);
    }

    private Video submittedVideo(int attempt, String jobId) {
        Instant now = Instant.now();
        Video created = awaitingUpload();
        String id = created.id();
        Video submitted = VideoStates.of(
                created,
                VideoStatus.SUBMITTED,
                attempt,
                new Video.Job(jobId, "mediaconvert", 0, null, now, null, null),
                null);
        // What the samples' COMPLETE reports, in storage, so that the video can be called COMPLETE.
        StoredOutputs.write(
                s3,
                config.storage().outputBucket(),
                VideoKeys.outputs(id) + "hls/main.m3u8",
                List.of("mainv2.m3u8", "mainv1.m3u8"));
        return videos.update(id, current -> submitted).await().atMost(WAIT);
    }

    /**
     * The same event for this video: AWS's samples carry other job ids, empty userMetadata and files
     * in a documentation bucket, which here lie under the video's prefix in the output bucket.
     */
    private ObjectNode forVideo(JsonNode sample, String videoId) {
        ObjectNode event;
        try {
            event = (ObjectNode) JSON.readTree(sample.toString()
                    .replace(
                            "s3://DOC-EXAMPLE-BUCKET/",
                            "s3://" + config.storage().outputBucket() + "/" + VideoKeys.outputs(videoId)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ObjectNode detail = (ObjectNode) event.path("detail");
        detail.put("jobId", JOB);
        ObjectNode metadata = detail.putObject("userMetadata");
        metadata.put("videoId", videoId);
        metadata.put(
                "attempt",
                sample.path("detail").path("userMetadata").path("attempt").asText("1"));
        return event;
    }

    /** The guide's generic COMPLETE example spells the QVBR fields qvbrAvgQuality, qvbrMinQuality... */
    private static JsonNode withOtherQvbrSpelling(JsonNode complete) {
        String text = complete.toString()
                .replace("\"averageQVBRScore\"", "\"qvbrAvgQuality\"")
                .replace("\"minimumQVBRScore\"", "\"qvbrMinQuality\"")
                .replace("\"maximumQVBRScore\"", "\"qvbrMaxQuality\"")
                .replace("\"minimumQVBRScoreLocationInMs\"", "\"qvbrMinQualityLocation\"")
                .replace("\"maximumQVBRScoreLocationInMs\"", "\"qvbrMaxQualityLocation\"");
        assertThat(text).contains("qvbrAvgQuality");
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Everything the events decide, without the version and time of the last write (and the time of
     * submission, which differs between the videos of this test).
     */
    private static Map<String, Object> comparable(Video video) {
        Video.Job job = video.job();
        return Map.of(
                "status", video.status(),
                "job",
                        List.of(
                                job.id(),
                                job.percent(),
                                String.valueOf(job.phase()),
                                String.valueOf(job.startedAt()),
                                String.valueOf(job.completedAt())),
                "outputs", String.valueOf(video.outputs()).replace(video.id(), "{videoId}"),
                "error", String.valueOf(video.error()));
    }

    private static List<String> names(List<JsonNode> order) {
        return order.stream()
                .map(event -> event.path("detail").path("status").asText())
                .toList();
    }

    private static JsonNode sample(String file) throws IOException {
        return JSON.readTree(TestResources.awsEvent(file));
    }

    private static <T> List<List<T>> permutations(List<T> items) {
        if (items.size() <= 1) {
            return List.of(items);
        }
        List<List<T>> result = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T first = rest.remove(i);
            for (List<T> tail : permutations(rest)) {
                List<T> order = new ArrayList<>();
                order.add(first);
                order.addAll(tail);
                result.add(order);
            }
        }
        return result;
    }
}
