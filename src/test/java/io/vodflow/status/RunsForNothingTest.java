package io.vodflow.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoStates;
import io.vodflow.video.Video;
import io.vodflow.video.VideoStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which running jobs are canceled at their progress events: only those whose work nobody will use. */
class RunsForNothingTest {

    private static final String JOB = "1700000000000-recorded";
    private static final Video.Job RECORDED = new Video.Job(JOB, "mediaconvert", 10, null, Instant.now(), null, null);

    private final Video waiting = VideoStates.awaitingUpload();

    @Test
    void theVideosOwnJobRunsOn() {
        Video progressing = VideoStates.of(waiting, VideoStatus.PROGRESSING, 1, RECORDED, null);
        assertThat(StatusRules.runsForNothing(progressing, progress(JOB, 1))).isFalse();
        Video complete = VideoStates.of(waiting, VideoStatus.COMPLETE, 1, RECORDED, null);
        assertThat(StatusRules.runsForNothing(complete, progress(JOB, 1))).isFalse();
    }

    @Test
    void aJobNotRecordedYetRunsOnWhileItsSubmissionMayBeUnderWay() {
        Video submitting = VideoStates.of(waiting, VideoStatus.UPLOADED, 1, null, null);
        assertThat(StatusRules.runsForNothing(submitting, progress("1700000000000-first", 1)))
                .isFalse();
    }

    @Test
    void aJobOfAVideoGoneGivenUpOrMovedOnRunsForNothing() {
        assertThat(StatusRules.runsForNothing(null, progress(JOB, 1)))
                .as("deleted")
                .isTrue();
        Video givenUp = VideoStates.of(waiting, VideoStatus.ERROR, 1, null, null);
        assertThat(StatusRules.runsForNothing(givenUp, progress(JOB, 1)))
                .as("given up")
                .isTrue();
        Video holdsAnother = VideoStates.of(waiting, VideoStatus.PROGRESSING, 1, RECORDED, null);
        assertThat(StatusRules.runsForNothing(holdsAnother, progress("1700000000000-second", 1)))
                .as("a second job of the attempt")
                .isTrue();
        Video deleting =
                VideoStates.moved(holdsAnother, VideoStatus.PROGRESSING).deleting(Instant.now());
        assertThat(StatusRules.runsForNothing(deleting, progress(JOB, 1)))
                .as("being deleted")
                .isTrue();
    }

    @Test
    void anEndedJobOrAFinalEventIsNotCanceled() {
        Video failed = VideoStates.of(
                waiting,
                VideoStatus.ERROR,
                1,
                new Video.Job(JOB, "mediaconvert", 10, null, Instant.now(), null, Instant.now()),
                null);
        assertThat(StatusRules.runsForNothing(failed, progress(JOB, 1)))
                .as("a late report")
                .isFalse();
        ObjectNode error = TestResources.jobEvent("error.json", waiting.id(), "s3://bucket/");
        ((ObjectNode) error.path("detail")).put("jobId", "1700000000000-second");
        assertThat(StatusRules.runsForNothing(null, JobEvent.parse(error))).isFalse();
    }

    private JobEvent progress(String jobId, int attempt) {
        ObjectNode event = TestResources.jobEvent("status-update.json", waiting.id(), "s3://bucket/");
        ((ObjectNode) event.path("detail")).put("jobId", jobId);
        ((ObjectNode) event.path("detail").path("userMetadata")).put("attempt", Integer.toString(attempt));
        return JobEvent.parse(event);
    }
}
