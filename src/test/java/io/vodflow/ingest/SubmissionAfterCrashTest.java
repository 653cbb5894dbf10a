package io.vodflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vodflow.testing.MediaConvertStub;
import io.vodflow.testing.MediaConvertStubResource;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import io.vodflow.video.VideoRepository;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * CreateJob started a job, but its answer never reached vodflow (a crash, a lost connection). The
 * upload is taken in again after MediaConvert forgot the ClientRequestToken: the job is found by its
 * video and attempt, and no second job starts.
 */
@QuarkusTest
@WithTestResource(MediaConvertStubResource.class)
@TestProfile(SubmissionAfterCrashTest.TokenWindowPassed.class)
class SubmissionAfterCrashTest {

    /** Every repeated submission comes after the token's window, as if it came minutes later. */
    public static class TokenWindowPassed implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "vodflow.mediaconvert.idempotency-window", "0s",
                    // After the stub's own token window: a second CreateJob would start a second job.
                    "vodflow.ingest.retry-delay", "3s");
        }
    }

    @MediaConvertStubResource.Stub
    MediaConvertStub mediaConvert;

    @Inject
    VideoRepository videos;

    @Test
    void aJobStartedBeforeACrashIsFoundNotStartedAgain() {
        // The first delivery's CreateJob (which the SDK tries a few times) creates the job, or finds it
        // by its token, and never gets an answer. The delivery is retried after the token is forgotten.
        mediaConvert.tokenWindow(Duration.ofSeconds(2));
        mediaConvert.failAfterCreating(Integer.MAX_VALUE);

        String id = VideoApi.upload(TestResources.media("h264_aac_320x240_main.mp4"), "video/mp4");

        JsonPath video = VideoApi.awaitStatus(id, "SUBMITTED", Duration.ofSeconds(30));
        assertThat(mediaConvert.jobsCreated(id)).isEqualTo(1);
        String jobId =
                videos.find(id).await().atMost(Duration.ofSeconds(10)).job().id();
        assertThat(jobId).isEqualTo(mediaConvert.createdJobIds(id).get(0));
        assertThat(mediaConvert.listJobsRequests()).isNotEmpty().allSatisfy(request -> assertThat(request.path())
                .isEqualTo("/2017-08-29/jobs"));
        assertThat(video.getString("status")).isEqualTo("SUBMITTED");
    }
}
