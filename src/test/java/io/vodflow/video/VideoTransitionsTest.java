package io.vodflow.video;

import static io.vodflow.video.VideoStatus.AWAITING_UPLOAD;
import static io.vodflow.video.VideoStatus.CANCELED;
import static io.vodflow.video.VideoStatus.COMPLETE;
import static io.vodflow.video.VideoStatus.ERROR;
import static io.vodflow.video.VideoStatus.PROGRESSING;
import static io.vodflow.video.VideoStatus.SUBMITTED;
import static io.vodflow.video.VideoStatus.UPLOADED;
import static org.assertj.core.api.Assertions.assertThat;

import io.vodflow.media.MediaInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The video's state machine without storage: for every transition and every status, the status it
 * leads to, or that it changes nothing (the same object, so nothing is written).
 */
class VideoTransitionsTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant LATER = T0.plusSeconds(60);
    private static final Duration LEASE = Duration.ofMinutes(10);
    private static final String JOB = "job-1";
    private static final Video.Failure BROKEN = new Video.Failure("JOB_1040", "broken");
    private static final Video.Outputs OUTPUTS =
            new Video.Outputs("videos/v/hls/master.m3u8", List.of(), List.of(), 1000);

    @Test
    void aNewVideoAwaitsItsUpload() {
        Video created = in(AWAITING_UPLOAD);
        assertThat(created.status()).isEqualTo(AWAITING_UPLOAD);
        assertThat(created.version()).isEqualTo(1);
        assertThat(created.attempt()).isEqualTo(1);
    }

    @Test
    void onlyAnUploadThatHasNotArrivedCanBeAborted() {
        assertTransition(video -> video.uploadAborted(LATER), moves(AWAITING_UPLOAD, CANCELED));
        assertThat(in(AWAITING_UPLOAD).uploadAborted(LATER).error().code()).isEqualTo("UPLOAD_ABORTED");
    }

    @Test
    void onlyAnUploadThatNeverArrivedExpires() {
        assertTransition(video -> video.uploadExpired(LATER), moves(AWAITING_UPLOAD, CANCELED));
        assertThat(in(AWAITING_UPLOAD).uploadExpired(LATER).error().code()).isEqualTo("UPLOAD_EXPIRED");
    }

    @Test
    void anArrivedUploadIsClaimedOnceOrAfterItsLeaseRanOut() {
        assertTransition(
                video -> video.uploadClaimed("delivery-2", LEASE, LATER.plus(LEASE)),
                moves(AWAITING_UPLOAD, UPLOADED, UPLOADED, UPLOADED));
        Video uploaded = in(UPLOADED);
        assertThat(uploaded.uploadClaimed("delivery-2", LEASE, LATER)).isSameAs(uploaded);
        assertThat(uploaded.uploadClaimed("delivery-1", LEASE, LATER.plus(LEASE)))
                .isSameAs(uploaded);
        Video reclaimed = uploaded.uploadClaimed("delivery-2", LEASE, LATER.plus(LEASE));
        assertThat(reclaimed.claimedBy("delivery-2", 1)).isTrue();
        assertThat(reclaimed.claimedBy("delivery-1", 1)).isFalse();
    }

    @Test
    void probingIsRecordedOnlyByTheDeliveryHoldingTheClaim() {
        MediaInfo media = new MediaInfo(10, "video/mp4", "mov", "h264", "aac", 640, 360, 0, 25, 1000, 2);
        assertTransition(video -> video.probed("delivery-1", 1, media, LATER), moves(UPLOADED, UPLOADED));
        Video uploaded = in(UPLOADED);
        assertThat(uploaded.probed("delivery-1", 1, media, LATER).media()).isEqualTo(media);
        assertThat(uploaded.probed("delivery-2", 1, media, LATER)).isSameAs(uploaded);
        assertThat(uploaded.probed("delivery-1", 2, media, LATER)).isSameAs(uploaded);
    }

    @Test
    void aVideoBeingDeletedIsNoLongerTakenIn() {
        MediaInfo media = new MediaInfo(10, "video/mp4", "mov", "h264", "aac", 640, 360, 0, 25, 1000, 2);
        Video deleting = in(UPLOADED).deleting(LATER);
        assertThat(deleting.claimedBy("delivery-1", 1)).isFalse();
        assertThat(deleting.probed("delivery-1", 1, media, LATER)).isSameAs(deleting);
        assertThat(deleting.submitting("delivery-1", 1, LATER)).isSameAs(deleting);
    }

    @Test
    void settingOutToSubmitIsRecordedOnceAndOutlivesATakeover() {
        assertTransition(video -> video.submitting("delivery-1", 1, LATER), moves(UPLOADED, UPLOADED));
        Video uploaded = in(UPLOADED);
        Video submitting = uploaded.submitting("delivery-1", 1, LATER);
        assertThat(submitting.claim().submittingAt()).isEqualTo(LATER);
        assertThat(submitting.submitting("delivery-1", 1, LATER.plusSeconds(5))).isSameAs(submitting);
        assertThat(uploaded.submitting("delivery-2", 1, LATER)).isSameAs(uploaded);

        Video takenOver =
                submitting.uploadClaimed("delivery-2", LEASE, LATER.plus(LEASE).plusSeconds(1));
        assertThat(takenOver.claim().by()).isEqualTo("delivery-2");
        assertThat(takenOver.claim().submittingAt()).isEqualTo(LATER);
    }

    @Test
    void theFirstJobOfAnAttemptIsRecorded() {
        assertTransition(video -> video.submitted(1, "job-2", "local", LATER), moves(UPLOADED, SUBMITTED));
        Video uploaded = in(UPLOADED);
        Video submitted = uploaded.submitted(1, "job-2", "mediaconvert", LATER);
        assertThat(submitted.job().id()).isEqualTo("job-2");
        assertThat(submitted.job().backend()).isEqualTo("mediaconvert");
        assertThat(submitted.job().submittedAt()).isEqualTo(LATER);
        assertThat(uploaded.submitted(2, "job-2", "local", LATER)).isSameAs(uploaded);
    }

    @Test
    void anAttemptFailsFromAnyStatusButATerminalOne() {
        assertTransition(
                video -> video.failed(1, BROKEN, LATER),
                moves(AWAITING_UPLOAD, ERROR, UPLOADED, ERROR, SUBMITTED, ERROR, PROGRESSING, ERROR));
        Video uploaded = in(UPLOADED);
        assertThat(uploaded.failed(1, BROKEN, LATER).error()).isEqualTo(BROKEN);
        assertThat(uploaded.failed(2, BROKEN, LATER)).isSameAs(uploaded);
    }

    @Test
    void theRecordedJobsStreamBecomesPlayableOnceAndOnlyWhileItRuns() {
        Video.Playable stream = new Video.Playable("videos/v/hls/master.m3u8", LATER);
        Video submitted = in(SUBMITTED);
        Video playable = submitted.playable(JOB, stream, LATER, LATER);
        assertThat(playable.playable()).isEqualTo(stream);
        assertThat(playable.status()).isEqualTo(PROGRESSING);
        assertThat(playable.version()).isEqualTo(submitted.version() + 1);
        // Told again, or about another job, or once the video ended: nothing changes.
        assertThat(playable.playable(JOB, new Video.Playable("other", LATER.plusSeconds(1)), LATER, LATER))
                .isSameAs(playable);
        assertThat(submitted.playable("job-2", stream, LATER, LATER)).isSameAs(submitted);
        assertThat(in(COMPLETE).playable(JOB, stream, LATER, LATER).playable()).isNull();
        assertThat(in(ERROR).playable(JOB, stream, LATER, LATER).playable()).isNull();
        // COMPLETE keeps when it became playable; its outputs take over the playback.
        Video complete = playable.completed(JOB, OUTPUTS, LATER, LATER);
        assertThat(complete.playable()).isEqualTo(stream);
        assertThat(complete.outputs()).isEqualTo(OUTPUTS);
    }

    @Test
    void theRecordedJobProgressesOnlyForward() {
        assertTransition(
                video -> video.progressed(JOB, 50, "TRANSCODING", LATER, LATER),
                // Ended jobs still merge what a late update says, so that any order ends the same.
                moves(
                        SUBMITTED,
                        PROGRESSING,
                        PROGRESSING,
                        PROGRESSING,
                        COMPLETE,
                        COMPLETE,
                        ERROR,
                        ERROR,
                        CANCELED,
                        CANCELED));
        Video progressing = in(PROGRESSING);
        assertThat(progressing.progressed(JOB, 5, "TRANSCODING", LATER, LATER)).isSameAs(progressing);
        assertThat(progressing.progressed("job-2", 90, "UPLOADING", LATER, LATER))
                .isSameAs(progressing);
        Video further = progressing.progressed(JOB, 50, "UPLOADING", T0.minusSeconds(1), LATER);
        assertThat(further.job().percent()).isEqualTo(50);
        assertThat(further.job().phase()).isEqualTo("UPLOADING");
        assertThat(further.job().startedAt()).isEqualTo(T0.minusSeconds(1));
    }

    @Test
    void theRecordedJobCompletesWithItsOutputs() {
        assertTransition(
                video -> video.completed(JOB, OUTPUTS, LATER, LATER),
                moves(SUBMITTED, COMPLETE, PROGRESSING, COMPLETE));
        Video progressing = in(PROGRESSING);
        Video complete = progressing.completed(JOB, OUTPUTS, LATER, LATER);
        assertThat(complete.outputs()).isEqualTo(OUTPUTS);
        assertThat(complete.job().percent()).isEqualTo(100);
        assertThat(complete.job().completedAt()).isEqualTo(LATER);
        assertThat(progressing.completed("job-2", OUTPUTS, LATER, LATER)).isSameAs(progressing);
    }

    @Test
    void theRecordedJobFailsWithItsReason() {
        assertTransition(
                video -> video.jobFailed(JOB, BROKEN, LATER, LATER), moves(SUBMITTED, ERROR, PROGRESSING, ERROR));
        assertThat(in(PROGRESSING).jobFailed(JOB, BROKEN, LATER, LATER).error()).isEqualTo(BROKEN);
    }

    @Test
    void theRecordedJobIsCanceled() {
        assertTransition(video -> video.canceled(JOB, LATER, LATER), moves(SUBMITTED, CANCELED, PROGRESSING, CANCELED));
    }

    @Test
    void multipartCompletionIsRecordedOnce() {
        Video completed = in(AWAITING_UPLOAD).partsCompleted(LATER);
        assertThat(completed.source().uploadCompletedAt()).isEqualTo(LATER);
        assertThat(completed.status()).isEqualTo(AWAITING_UPLOAD);
        assertThat(completed.partsCompleted(LATER.plusSeconds(1))).isSameAs(completed);
    }

    @Test
    void aVideoBeingDeletedRefusesEveryOtherChange() {
        for (VideoStatus status : VideoStatus.values()) {
            Video before = in(status);
            Video deleting = before.deleting(LATER);
            assertThat(deleting.isDeleting()).isTrue();
            assertThat(deleting.status()).as("from %s", status).isEqualTo(status);
            assertThat(deleting.version()).isEqualTo(before.version() + 1);
            assertThat(deleting.deleting(LATER.plusSeconds(1)))
                    .as("marked once")
                    .isSameAs(deleting);
            List<UnaryOperator<Video>> every = List.of(
                    video -> video.partsCompleted(LATER),
                    video -> video.uploadAborted(LATER),
                    video -> video.uploadExpired(LATER),
                    video -> video.uploadClaimed("delivery-2", Duration.ZERO, LATER.plus(LEASE)),
                    video -> video.submitted(1, JOB, "local", LATER),
                    video -> video.failed(1, BROKEN, LATER),
                    video -> video.progressed(JOB, 90, "UPLOADING", LATER, LATER),
                    video -> video.completed(JOB, OUTPUTS, LATER, LATER),
                    video -> video.jobFailed(JOB, BROKEN, LATER, LATER),
                    video -> video.canceled(JOB, LATER, LATER));
            for (UnaryOperator<Video> transition : every) {
                assertThat(transition.apply(deleting)).as("from %s", status).isSameAs(deleting);
            }
        }
    }

    @Test
    void statusesMoveOnlyForwardAndNeverOutOfATerminalOne() {
        for (VideoStatus from : VideoStatus.values()) {
            for (VideoStatus to : VideoStatus.values()) {
                assertThat(from.canMoveTo(to))
                        .as("%s to %s", from, to)
                        .isEqualTo(!from.isTerminal() && to.ordinal() > from.ordinal());
            }
        }
    }

    /** A video in each status, reached through the transitions the pipeline uses. */
    private static Video in(VideoStatus status) {
        Video created = Video.created(
                "v",
                "owner",
                "title",
                new Video.Source("a.mp4", "video/mp4", 10, "uploads/v/source", null, 0, 0, null),
                null,
                null,
                T0);
        Video uploaded = created.uploadClaimed("delivery-1", LEASE, T0);
        Video submitted = uploaded.submitted(1, JOB, "local", T0);
        return switch (status) {
            case AWAITING_UPLOAD -> created;
            case UPLOADED -> uploaded;
            case SUBMITTED -> submitted;
            case PROGRESSING -> submitted.progressed(JOB, 10, "TRANSCODING", T0, T0);
            case COMPLETE -> submitted.completed(JOB, OUTPUTS, T0, T0);
            case ERROR -> submitted.jobFailed(JOB, BROKEN, T0, T0);
            case CANCELED -> submitted.canceled(JOB, T0, T0);
        };
    }

    /**
     * Applies a transition to a video in every status: those listed move to the status given, one
     * version later; every other one is refused, and the transition returns the video itself.
     */
    private static void assertTransition(UnaryOperator<Video> transition, Map<VideoStatus, VideoStatus> moves) {
        for (VideoStatus from : VideoStatus.values()) {
            Video before = in(from);
            Video after = transition.apply(before);
            if (moves.containsKey(from)) {
                assertThat(after.status()).as("from %s", from).isEqualTo(moves.get(from));
                assertThat(after.version()).as("from %s", from).isEqualTo(before.version() + 1);
                assertThat(after.updatedAt()).as("from %s", from).isAfter(before.updatedAt());
            } else {
                assertThat(after).as("from %s", from).isSameAs(before);
            }
        }
    }

    private static Map<VideoStatus, VideoStatus> moves(VideoStatus... fromThenTo) {
        Map<VideoStatus, VideoStatus> moves = new EnumMap<>(VideoStatus.class);
        for (int i = 0; i < fromThenTo.length; i += 2) {
            moves.put(fromThenTo[i], fromThenTo[i + 1]);
        }
        return moves;
    }
}
