package io.vodflow.ingest;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.media.FfmpegTools;
import io.vodflow.storage.VideoKeys;
import io.vodflow.testing.MediaConvertStub;
import io.vodflow.testing.MediaConvertStubResource;
import io.vodflow.testing.Queues;
import io.vodflow.testing.TestMedia;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/** Uploads through the API lead to CreateJob calls at a MediaConvert stub, exactly once per video. */
@QuarkusTest
@WithTestResource(MediaConvertStubResource.class)
class MediaConvertIngestTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @MediaConvertStubResource.Stub
    MediaConvertStub mediaConvert;

    @Inject
    FfmpegTools ffmpeg;

    @Inject
    SqsAsyncClient sqs;

    @Inject
    VodflowConfig config;

    @Inject
    VideoRepository videos;

    @Inject
    IngestService ingest;

    @Test
    void theSampleLeadsToExactlyTheExpectedCreateJob() throws IOException {
        String id = VideoApi.upload(TestResources.media("h264_aac_320x240_main.mp4"), "video/mp4");

        JsonPath video = VideoApi.awaitStatus(id, "SUBMITTED", TIMEOUT);

        List<MediaConvertStub.Request> calls = mediaConvert.createJobRequests(id);
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).path()).isEqualTo("/2017-08-29/jobs");
        assertThat(calls.get(0).body()).isEqualTo(expected("create-job-h264-320x240.json", id));
        assertThat(video.getString("progress.phase")).isNull();
        assertThat(mediaConvert.jobsCreated(id)).isEqualTo(1);
    }

    @Test
    void aPortraitSourceGetsAPortraitLadder() {
        Path portrait = TestMedia.testPattern(ffmpeg, 720, 1280, 2, true);
        String id = VideoApi.upload(portrait, "video/mp4");

        VideoApi.awaitStatus(id, "SUBMITTED", TIMEOUT);

        JsonNode settings = mediaConvert.createJobRequests(id).get(0).body().path("settings");
        List<String> ladder = StreamSupport.stream(
                        settings.path("outputGroups").get(0).path("outputs").spliterator(), false)
                .map(output -> output.path("videoDescription").path("width").asInt() + "x"
                        + output.path("videoDescription").path("height").asInt())
                .toList();
        assertThat(ladder).containsExactly("720x1280", "480x854", "360x640");
        JsonNode thumbnails =
                settings.path("outputGroups").get(1).path("outputs").get(0).path("videoDescription");
        assertThat(thumbnails.path("width").asInt()).isEqualTo(360);
        assertThat(thumbnails.path("height").asInt()).isEqualTo(640);
    }

    @Test
    void aSourceWithoutAudioGetsNoAudioDescription() {
        Path silent = TestMedia.testPattern(ffmpeg, 640, 360, 2, false);
        String id = VideoApi.upload(silent, "video/mp4");

        VideoApi.awaitStatus(id, "SUBMITTED", TIMEOUT);

        JsonNode settings = mediaConvert.createJobRequests(id).get(0).body().path("settings");
        assertThat(settings.path("inputs").get(0).has("audioSelectors")).isFalse();
        assertThat(settings.path("outputGroups").get(0).path("outputs"))
                .isNotEmpty()
                .allSatisfy(
                        output -> assertThat(output.has("audioDescriptions")).isFalse());
    }

    @Test
    void aSourceWithoutVideoGetsAnAudioJobWithoutWhatMediaConvertRefusesThem() {
        String id = VideoApi.upload(TestResources.media("audio_only_aac_15s.mp4"), "video/mp4");

        VideoApi.awaitStatus(id, "SUBMITTED", TIMEOUT);

        JsonNode request = mediaConvert.createJobRequests(id).get(0).body();
        // MediaConvert allows a job whose outputs have no pictures neither input clipping nor progress updates.
        assertThat(request.path("settings").path("inputs").get(0).has("inputClippings"))
                .isFalse();
        assertThat(request.has("statusUpdateInterval")).isFalse();
        assertThat(request.path("settings").path("outputGroups"))
                .singleElement()
                .satisfies(
                        hls -> assertThat(hls.path("outputs")).singleElement().satisfies(output -> {
                            assertThat(output.has("videoDescription")).isFalse();
                            assertThat(output.path("audioDescriptions")).hasSize(1);
                        }));
    }

    @Test
    void repeatedAndDuplicateNotificationsGiveOneJob() {
        byte[] bytes = VideoApi.read(TestResources.media("h264_aac_320x240_main.mp4"));
        JsonPath created = VideoApi.create("dup.mp4", "video/mp4", bytes.length);
        String id = created.getString("id");
        String key = "uploads/" + id + "/source";
        assertThat(VideoApi.put(created.getString("upload.url"), created.getMap("upload.headers"), bytes)
                        .statusCode())
                .isEqualTo(200);

        // Besides S3's own notification: the same one ten times, and ten others for the same key.
        String same = notification(key, "ObjectCreated:Put", "0055AED6DCD90281E5");
        for (int i = 0; i < 10; i++) {
            send(config.queues().uploads(), same);
            send(config.queues().uploads(), notification(key, "ObjectCreated:Put", "00" + (1000 + i)));
        }

        VideoApi.awaitStatus(id, "SUBMITTED", TIMEOUT);
        new Queues(sqs).awaitDrained(config.queues().uploads(), TIMEOUT);

        assertThat(mediaConvert.createJobRequests(id)).hasSize(1);
        assertThat(mediaConvert.jobsCreated(id)).isEqualTo(1);
    }

    @Test
    void aNotificationOfAFileThatIsNotThereIsRefusedAndTheVideoStillTakesItsUpload() {
        byte[] bytes = VideoApi.read(TestResources.media("h264_aac_320x240_main.mp4"));
        JsonPath created = VideoApi.create("early.mp4", "video/mp4", bytes.length);
        String id = created.getString("id");
        long version = given().get("/videos/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getLong("version");
        String forged = notification("uploads/" + id + "/source", "ObjectCreated:Put", "03");
        String otherBucket = forged.replace(
                "\"name\":\"" + config.storage().inputBucket() + "\"", "\"name\":\"someone-elses-bucket\"");
        assertThat(otherBucket).isNotEqualTo(forged);
        Queues queues = new Queues(sqs);

        queues.send(config.queues().uploads(), otherBucket);
        queues.awaitDeadLetter(config.queues().uploads(), otherBucket, TIMEOUT);
        queues.send(config.queues().uploads(), forged);
        queues.awaitDeadLetter(config.queues().uploads(), forged, TIMEOUT);

        JsonPath waiting =
                given().get("/videos/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(waiting.getString("status")).isEqualTo("AWAITING_UPLOAD");
        assertThat(waiting.getLong("version")).isEqualTo(version);
        assertThat(VideoApi.put(created.getString("upload.url"), created.getMap("upload.headers"), bytes)
                        .statusCode())
                .isEqualTo(200);
        VideoApi.awaitStatus(id, "SUBMITTED", TIMEOUT);
    }

    @Test
    void aTextFileUploadedAsVideoEndsInErrorWithoutAJob() {
        Path text = TestMedia.text("notes.mp4", "These are my holiday notes, not a video.\n".repeat(20));
        String id = VideoApi.upload(text, "video/mp4");

        JsonPath video = VideoApi.awaitStatus(id, "ERROR", TIMEOUT);

        assertThat(video.getString("error.code")).isEqualTo("NOT_MEDIA");
        assertThat(video.getString("error.message")).startsWith("The file is not a video or audio file");
        assertThat(mediaConvert.createJobRequests(id)).isEmpty();
    }

    @Test
    void aSourceBeyondACeilingEndsInErrorWithoutAJob() {
        String id = VideoApi.upload(TestMedia.tinyButLong(ffmpeg), "video/mp4");

        JsonPath video = VideoApi.awaitStatus(id, "ERROR", TIMEOUT);

        assertThat(video.getString("error.code")).isEqualTo("LIMIT_DURATION");
        assertThat(video.getString("error.message")).contains("225:00:00");
        assertThat(mediaConvert.createJobRequests(id)).isEmpty();
    }

    @Test
    void badMessagesGoToTheDeadLetterQueueAndOthersAreAcknowledged() throws Exception {
        String poison = "this is not json " + System.nanoTime();
        send(config.queues().uploads(), poison);
        send(config.queues().uploads(), TestResources.awsEvent("s3-test-event.json"));
        send(
                config.queues().uploads(),
                notification("uploads/3f2c9a1e-0000-4000-8000-000000000000/source", "ObjectCreated:Put", "01"));
        send(config.queues().uploads(), notification("elsewhere/file.mp4", "ObjectCreated:Put", "02"));

        String dlqUrl = queueUrl(config.queues().uploads() + "-dlq");
        List<String> deadLetters = new ArrayList<>();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            sqs.receiveMessage(receive ->
                            receive.queueUrl(dlqUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .join()
                    .messages()
                    .forEach(message -> deadLetters.add(message.body()));
            assertThat(deadLetters).contains(poison);
        });
        new Queues(sqs).awaitDrained(config.queues().uploads(), TIMEOUT);
        assertThat(deadLetters).containsExactly(poison);

        // The consumer is still there.
        String id = submittedVideo();
    }

    @Test
    void throttlingAndServerErrorsLeadToOneLaterJob() {
        mediaConvert.answerNext(429, 500);
        String id = VideoApi.upload(TestResources.media("h264_aac_320x240_main.mp4"), "video/mp4");

        JsonPath video = VideoApi.awaitStatus(id, "SUBMITTED", TIMEOUT);

        List<MediaConvertStub.Request> calls = mediaConvert.createJobRequests(id);
        assertThat(calls).hasSizeGreaterThanOrEqualTo(3);
        assertThat(calls.stream()
                        .map(call -> call.body().path("clientRequestToken").asText())
                        .distinct())
                .containsExactly(id + "-1");
        assertThat(mediaConvert.jobsCreated(id)).isEqualTo(1);
        assertThat(video.getInt("version")).isPositive();
    }

    @Test
    void failuresBeyondTheSdkRetriesAreRetriedByRedeliveryWithoutADuplicateJob() {
        mediaConvert.answerNext(500, 500, 500, 500, 500, 500);
        String id = submittedVideo();

        assertThat(mediaConvert.createJobRequests(id)).hasSize(7);
        assertThat(mediaConvert.jobsCreated(id)).isEqualTo(1);
    }

    @Test
    void aCreateJobThatGetsNoAnswerIsGivenUpAndSubmittedAgain() {
        mediaConvert.stallNext("POST");
        String id = submittedVideo();

        assertThat(mediaConvert.createJobRequests(id))
                .as("the call left unanswered, then the one after the call timeout")
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(mediaConvert.jobsCreated(id)).isEqualTo(1);
    }

    @Test
    void aDeleteIsNotHeldUpByACancelJobThatGetsNoAnswer() {
        String id = submittedVideo();
        String jobId = mediaConvert.jobId(id, 1);
        mediaConvert.stallNext("DELETE");

        assertTimeoutPreemptively(
                TIMEOUT, () -> given().delete("/videos/{id}", id).then().statusCode(204));

        given().get("/videos/{id}", id).then().statusCode(404);
        assertThat(mediaConvert.cancelRequests())
                .as("CancelJob was asked, and its silence did not stop the delete")
                .anyMatch(request -> request.path().endsWith("/jobs/" + jobId));
    }

    @Test
    void aJobCreatedForAVideoDeletedMeanwhileIsCanceled() {
        // The video has no job yet to cancel: the delete cannot stop the one being created.
        String id = jobCanceledAfterCreatedWhile(
                video -> given().delete("/videos/{id}", video).then().statusCode(204),
                "the job MediaConvert created after the delete, which nothing would watch");
        given().get("/videos/{id}", id).then().statusCode(404);
    }

    @Test
    void aJobCreatedForAnUploadGivenUpMeanwhileIsCanceled() {
        // The upload's last delivery gives up while its CreateJob is still under way.
        String id = jobCanceledAfterCreatedWhile(
                video -> {
                    Video claimed = videos.find(video).await().atMost(TIMEOUT);
                    boolean gaveUp = ingest.giveUp(
                                    VideoKeys.source(video), claimed.claim().by(), "failed 5 times in a row")
                            .await()
                            .atMost(TIMEOUT);
                    assertThat(gaveUp).isTrue();
                },
                "the job of a video in ERROR, which nothing would use");
        given().get("/videos/{id}", id).then().body("status", equalTo("ERROR"));
    }

    /**
     * Uploads a video, holds its CreateJob while {@code meanwhile} happens to the video, and returns
     * the video's id once MediaConvert was asked to cancel the job it then created.
     */
    private String jobCanceledAfterCreatedWhile(Consumer<String> meanwhile, String why) {
        mediaConvert.holdCreateJobs();
        try {
            String id = VideoApi.upload(TestResources.media("h264_aac_320x240_main.mp4"), "video/mp4");
            await().atMost(TIMEOUT)
                    .until(() -> !mediaConvert.createJobRequests(id).isEmpty());
            meanwhile.accept(id);
            mediaConvert.release();

            await().atMost(TIMEOUT).until(() -> mediaConvert.jobId(id, 1) != null);
            String jobId = mediaConvert.jobId(id, 1);
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(mediaConvert.cancelRequests())
                    .as(why)
                    .anyMatch(request -> request.path().endsWith("/jobs/" + jobId)));
            return id;
        } finally {
            mediaConvert.answerNormally();
        }
    }

    @Test
    void aJobStillRunningForADeletedVideoIsCanceledAgainAtItsNextEvent() {
        String id = submittedVideo();
        String jobId = mediaConvert.jobId(id, 1);
        // The delete's CancelJob gets no answer: the job may run on.
        mediaConvert.stallNext("DELETE");
        given().delete("/videos/{id}", id).then().statusCode(204);
        await().atMost(TIMEOUT).until(() -> cancels(jobId) == 1);

        send(
                config.queues().jobEvents(),
                jobEvent("status-update.json", id, jobId).toString());

        await().atMost(TIMEOUT)
                .alias("the job's progress report, which finds no video, cancels it again")
                .until(() -> cancels(jobId) == 2);
    }

    @Test
    void anEventPairingAVideoWithAnotherVideosJobCancelsNothing() {
        String victim = submittedVideo();
        String jobId = mediaConvert.jobId(victim, 1);
        String gone = VideoApi.create("mine.mp4", "video/mp4", 1000).getString("id");
        given().delete("/videos/{id}", gone).then().statusCode(204);

        // Forged, or another deployment's: it names a video this one no longer has, with a running job.
        send(
                config.queues().jobEvents(),
                jobEvent("status-update.json", gone, jobId).toString());

        await().atMost(TIMEOUT).until(() -> !mediaConvert.getJobRequests(jobId).isEmpty());
        await().during(Duration.ofSeconds(2))
                .atMost(TIMEOUT)
                .alias("GetJob shows the job is the other video's: it is not canceled")
                .until(() -> cancels(jobId) == 0);
        given().get("/videos/{id}", victim).then().body("status", equalTo("SUBMITTED"));
    }

    @Test
    void aJobErrorReachesTheOwnerWithoutStoragePathsOrAccountDetails() {
        String id = submittedVideo();
        String jobId = mediaConvert.jobId(id, 1);
        String source = "s3://" + config.storage().inputBucket() + "/" + VideoKeys.source(id);
        ObjectNode error = jobEvent("error.json", id, jobId);
        ((ObjectNode) error.path("detail"))
                .put(
                        "errorMessage",
                        "Unable to open input file [" + source + "]: AssumeRole failed for"
                                + " arn:aws:iam::111122223333:role/vodflow-mediaconvert");
        send(config.queues().jobEvents(), error.toString());

        JsonPath video = VideoApi.awaitStatus(id, "ERROR", TIMEOUT);
        assertThat(video.getString("error.code")).isEqualTo("JOB_1040");
        assertThat(video.getString("error.message"))
                .isEqualTo("Unable to open input file [a stored file]: AssumeRole failed for an AWS resource")
                .doesNotContain(config.storage().inputBucket(), "111122223333");
    }

    /** A video uploaded and SUBMITTED as job 1 of MediaConvert's stub. */
    private static String submittedVideo() {
        String id = VideoApi.upload(TestResources.media("h264_aac_320x240_main.mp4"), "video/mp4");
        VideoApi.awaitStatus(id, "SUBMITTED", TIMEOUT);
        return id;
    }

    /** A sample event of MediaConvert's about {@code jobId} of the video, naming its outputs if any. */
    private ObjectNode jobEvent(String sample, String videoId, String jobId) {
        ObjectNode event = TestResources.jobEvent(
                sample, videoId, "s3://" + config.storage().outputBucket() + "/" + VideoKeys.outputs(videoId));
        ((ObjectNode) event.path("detail")).put("jobId", jobId);
        return event;
    }

    private long cancels(String jobId) {
        return mediaConvert.cancelRequests().stream()
                .filter(request -> request.path().endsWith("/jobs/" + jobId))
                .count();
    }

    @Test
    void anUploadThatKeepsFailingEndsInErrorInsteadOfWaitingForEver() {
        mediaConvert.answerAlways(500);
        try {
            String id = VideoApi.upload(TestResources.media("h264_aac_320x240_main.mp4"), "video/mp4");

            JsonPath video = VideoApi.awaitStatus(id, "ERROR", Duration.ofSeconds(60));

            assertThat(video.getString("error.code")).isEqualTo("INGEST_FAILED");
            assertThat(video.getString("error.message"))
                    .startsWith("The upload could not be processed")
                    .doesNotContain("Stubbed", "Status Code", "SDK");
            assertThat(mediaConvert.jobsCreated(id)).isZero();
        } finally {
            mediaConvert.answerNormally();
        }
    }

    @Test
    void anUploadNoDeliveryClaimedIsNotGivenUpButLeftToTheDeadLetterQueue() {
        // Storage or the table failed each delivery of the notification before one could claim the
        // upload (its HeadObject, the claim's write): the last one gives up.
        String id = VideoApi.create("unclaimed.mp4", "video/mp4", 1000).getString("id");

        Uni<Boolean> gaveUp = ingest.giveUp(VideoKeys.source(id), "the-last-delivery", "failed 5 times in a row");

        assertThatThrownBy(() -> gaveUp.await().atMost(TIMEOUT)).isInstanceOf(IngestService.NotClaimed.class);
        assertThat(given().get("/videos/" + id).then().extract().jsonPath().getString("status"))
                .as("the video still waits for its upload, which may still come")
                .isEqualTo("AWAITING_UPLOAD");
    }

    @Test
    void aJobMediaConvertRefusesEndsInErrorWithItsMessage() {
        mediaConvert.answerNext(400);
        String id = VideoApi.upload(TestResources.media("h264_aac_320x240_main.mp4"), "video/mp4");

        JsonPath video = VideoApi.awaitStatus(id, "ERROR", TIMEOUT);

        assertThat(video.getString("error.code")).isEqualTo("MEDIACONVERT_REJECTED");
        assertThat(video.getString("error.message")).contains("Should have at most 4 elements");
        assertThat(mediaConvert.jobsCreated(id)).isZero();
    }

    private static JsonNode expected(String file, String id) throws IOException {
        try (InputStream in = MediaConvertIngestTest.class.getResourceAsStream("/mediaconvert/" + file)) {
            return JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${videoId}", id));
        }
    }

    private String notification(String key, String eventName, String sequencer) {
        return """
                {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",
                "eventTime":"2026-11-25T10:00:00.000Z","eventName":"%s",
                "s3":{"s3SchemaVersion":"1.0","bucket":{"name":"%s","arn":"arn:aws:s3:::%s"},
                "object":{"key":"%s","size":336833,"eTag":"d41d8cd98f00b204e9800998ecf8427e","sequencer":"%s"}}}]}
                """
                .formatted(
                        eventName,
                        config.storage().inputBucket(),
                        config.storage().inputBucket(),
                        key,
                        sequencer);
    }

    private void send(String queue, String body) {
        String url = queueUrl(queue);
        sqs.sendMessage(message -> message.queueUrl(url).messageBody(body)).join();
    }

    private String queueUrl(String queue) {
        return sqs.getQueueUrl(request -> request.queueName(queue)).join().queueUrl();
    }
}
