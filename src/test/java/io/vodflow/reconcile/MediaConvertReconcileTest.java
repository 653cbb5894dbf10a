package io.vodflow.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vodflow.config.VodflowConfig;
import io.vodflow.testing.MediaConvertStub;
import io.vodflow.testing.MediaConvertStubResource;
import io.vodflow.testing.StoredOutputs;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * MediaConvert jobs whose events never reached vodflow (a missing EventBridge rule, a dead-lettered
 * event) end as MediaConvert says, once the reconciler asks it with GetJob.
 */
@QuarkusTest
@WithTestResource(MediaConvertStubResource.class)
class MediaConvertReconcileTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String SAMPLE = "h264_aac_320x240_main.mp4";

    @MediaConvertStubResource.Stub
    MediaConvertStub mediaConvert;

    @Inject
    Reconciler reconciler;

    @Inject
    VodflowConfig config;

    @Inject
    S3Client s3;

    @Test
    void aJobThatFailedWithoutAWordEndsInErrorWithMediaConvertsReason() {
        String id = VideoApi.upload(TestResources.media(SAMPLE), "video/mp4");
        VideoApi.awaitStatus(id, "SUBMITTED", TIMEOUT);
        String jobId = mediaConvert.jobId(id, 1);

        reconcileAfterSilence();
        assertThat(VideoApi.awaitStatus(id, "SUBMITTED", TIMEOUT).getString("status"))
                .as("a job still running is left alone")
                .isEqualTo("SUBMITTED");

        mediaConvert.fail(jobId, 1010, "Input file is not a valid media file");
        reconcileAfterSilence();

        JsonPath failed = VideoApi.awaitStatus(id, "ERROR", TIMEOUT);
        assertThat(failed.getString("error.code")).isEqualTo("JOB_1010");
        assertThat(failed.getString("error.message")).isEqualTo("Input file is not a valid media file");
        assertThat(mediaConvert.getJobRequests(jobId)).isNotEmpty().allSatisfy(request -> assertThat(request.path())
                .isEqualTo("/2017-08-29/jobs/" + jobId));
    }

    @Test
    void aJobThatCompletedWithoutAWordEndsCompleteWithItsRenditions() {
        String id = VideoApi.upload(TestResources.media(SAMPLE), "video/mp4");
        VideoApi.awaitStatus(id, "SUBMITTED", TIMEOUT);
        String jobId = mediaConvert.jobId(id, 1);
        List<String> variants = mediaConvert.hlsVariants(id);
        // What MediaConvert would have written, where the settings told it to.
        StoredOutputs.write(s3, config.storage().outputBucket(), "videos/" + id + "/hls/master.m3u8", variants);

        mediaConvert.complete(jobId);
        reconcileAfterSilence();

        JsonPath complete = VideoApi.awaitStatus(id, "COMPLETE", TIMEOUT);
        assertThat(complete.getString("playback.masterPlaylist"))
                .startsWith("/videos/" + id + "/play/")
                .endsWith("/hls/master.m3u8");
        assertThat(complete.getList("playback.renditions")).hasSize(variants.size());
        assertThat(complete.getInt("progress.percent")).isEqualTo(100);
    }

    @Test
    void aJobThatRunsOnWithoutAWordLongAfterItsSubmissionEndsInErrorAndIsCanceled() {
        String id = VideoApi.upload(TestResources.media(SAMPLE), "video/mp4");
        VideoApi.awaitStatus(id, "SUBMITTED", TIMEOUT);
        String jobId = mediaConvert.jobId(id, 1);

        // A paused queue: MediaConvert still says the job is there, waiting.
        reconciler
                .reconcile(Instant.now().plus(config.reconciler().maxJobTime()).plusSeconds(60))
                .await()
                .atMost(Duration.ofMinutes(1));

        JsonPath failed = VideoApi.awaitStatus(id, "ERROR", TIMEOUT);
        assertThat(failed.getString("error.code")).isEqualTo("JOB_TIMEOUT");
        assertThat(failed.getString("error.message"))
                .isEqualTo("The transcoding job was still not done 24 hours after it was submitted; upload the"
                        + " video again");
        assertThat(mediaConvert.cancelRequests())
                .anySatisfy(request -> assertThat(request.method() + " " + request.path())
                        .isEqualTo("DELETE /2017-08-29/jobs/" + jobId));
    }

    @Test
    void aJobMediaConvertCannotBeAskedAboutEndsInErrorOnceItIsPastTheLongestJob() {
        String id = VideoApi.upload(TestResources.media(SAMPLE), "video/mp4");
        VideoApi.awaitStatus(id, "SUBMITTED", TIMEOUT);
        // GetJob refused, as when the role lost mediaconvert:GetJob.
        mediaConvert.answerAlways("GET", 403);
        try {
            reconcileAfterSilence();
            assertThat(VideoApi.awaitStatus(id, "SUBMITTED", TIMEOUT).getString("status"))
                    .as("within the longest job, a failed lookup is tried again at the next pass")
                    .isEqualTo("SUBMITTED");

            reconciler
                    .reconcile(
                            Instant.now().plus(config.reconciler().maxJobTime()).plusSeconds(60))
                    .await()
                    .atMost(Duration.ofMinutes(1));

            assertThat(VideoApi.awaitStatus(id, "ERROR", TIMEOUT).getString("error.code"))
                    .isEqualTo("JOB_TIMEOUT");
        } finally {
            mediaConvert.answerNormally();
        }
    }

    @Test
    void aJobMediaConvertNoLongerKnowsEndsInErrorOnceEvenWhenItsReplacementCannotBeCanceled() {
        String id = VideoApi.upload(TestResources.media(SAMPLE), "video/mp4");
        VideoApi.awaitStatus(id, "SUBMITTED", TIMEOUT);
        String lost = mediaConvert.jobId(id, 1);
        // Past the token's window, submitting the attempt again makes another job; then no cancel works.
        mediaConvert.lose(lost);
        mediaConvert.tokenWindow(Duration.ZERO);
        mediaConvert.answerAlways("DELETE", 500);
        try {
            reconcileAfterSilence();

            JsonPath failed = VideoApi.awaitStatus(id, "ERROR", TIMEOUT);
            assertThat(failed.getString("error.code")).isEqualTo("JOB_LOST");
            assertThat(failed.getString("error.message"))
                    .isEqualTo("The transcoding job was lost; upload the video again");
            List<String> jobs = mediaConvert.createdJobIds(id);
            assertThat(jobs).hasSize(2);
            assertThat(mediaConvert.cancelRequests())
                    .anySatisfy(request -> assertThat(request.method() + " " + request.path())
                            .isEqualTo("DELETE /2017-08-29/jobs/" + jobs.get(1)));

            reconcileAfterSilence();
            assertThat(mediaConvert.createdJobIds(id))
                    .as("a video in ERROR starts no further job")
                    .hasSize(2);
        } finally {
            mediaConvert.answerNormally();
            mediaConvert.tokenWindow(Duration.ofDays(365));
        }
    }

    private void reconcileAfterSilence() {
        reconciler
                .reconcile(Instant.now().plus(config.reconciler().silence()).plusSeconds(60))
                .await()
                .atMost(Duration.ofMinutes(1));
    }
}
