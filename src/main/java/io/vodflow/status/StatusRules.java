package io.vodflow.status;

import io.vodflow.storage.S3Uri;
import io.vodflow.transcode.JobPhase;
import io.vodflow.video.Video;
import java.time.Instant;

/**
 * Which transition of the video a job event is. Events arrive at least once and in any order; the
 * transitions merge them in one direction only, so any order of the same events ends in the same
 * record, and an event applied twice changes nothing.
 */
final class StatusRules {

    private StatusRules() {}

    /**
     * @param produced what a COMPLETE event produced, checked in storage; null otherwise
     * @return the next version, or {@code video} itself when the event changes nothing
     */
    static Video apply(Video video, JobEvent event, JobOutputs.Produced produced, Instant now) {
        if (event.attempt() != null && event.attempt() != video.attempt()) {
            return video;
        }
        return switch (event.status()) {
            case "PROGRESSING", "STATUS_UPDATE", "INPUT_INFORMATION" -> progressed(video, event, now);
            case "COMPLETE" -> completed(video, event, produced, now);
            case "ERROR" -> video.jobFailed(event.jobId(), failure(event), event.at(), now);
            case "CANCELED" -> video.canceled(event.jobId(), event.at(), now);
            default -> video; // NEW_WARNING, QUEUE_HOP and future kinds carry nothing vodflow keeps.
        };
    }

    /**
     * A job's first event may overtake the engine's answer to its submission: the job is recorded
     * from the event then, so that subscribers still see SUBMITTED before it runs.
     */
    static Video submittedBy(Video video, JobEvent event, String engine, Instant now) {
        int attempt = event.attempt() == null ? video.attempt() : event.attempt();
        return isKnown(event) ? video.submitted(attempt, event.jobId(), engine, now) : video;
    }

    /**
     * Whether the event belongs to another job than the one recorded for the video: an older attempt,
     * or a second job of this attempt (the first recorded is the attempt's job).
     */
    static boolean isForeign(Video video, JobEvent event) {
        boolean otherAttempt = event.attempt() != null && event.attempt() != video.attempt();
        boolean otherJob = video.job() != null && !video.job().id().equals(event.jobId());
        return otherAttempt || otherJob;
    }

    /**
     * Whether the event's job still runs, and nothing will ever use what it makes: its video is gone or
     * going, ended in ERROR or CANCELED (the upload given up, say, while its job was being created), or
     * moved on to another job. Such a job only burns compute until it ends by itself. A job of the
     * video's attempt that the video has not recorded yet is not one of them: its submission may
     * still be under way; nor is the video's job once it ended.
     */
    static boolean runsForNothing(Video video, JobEvent event) {
        if (isFinal(event)) {
            return false;
        }
        if (video == null) {
            return true;
        }
        if (video.hasEnded(event.jobId()) || (event.attempt() != null && event.attempt() > video.attempt())) {
            return false;
        }
        boolean notRecordedYet = video.job() == null
                && !video.isDeleting()
                && !video.status().isTerminal()
                && (event.attempt() == null || event.attempt() == video.attempt());
        return !notRecordedYet && !video.wants(event.jobId());
    }

    /**
     * A preview's events (fast start) tell the video only when it plays: the rest of the preview's life,
     * its end included, is not the video's.
     */
    static Video previewed(Video video, JobEvent event, Instant now) {
        if (event.playableMasterPlaylist() == null || event.attempt() == null) {
            return video;
        }
        return video.previewPlayable(event.attempt(), stream(event), now);
    }

    /** Whether the event ends its job: nothing is written after it. */
    static boolean isFinal(JobEvent event) {
        return switch (event.status()) {
            case "COMPLETE", "ERROR", "CANCELED" -> true;
            default -> false;
        };
    }

    private static boolean isKnown(JobEvent event) {
        return isFinal(event)
                || switch (event.status()) {
                    case "PROGRESSING", "STATUS_UPDATE", "INPUT_INFORMATION" -> true;
                    default -> false;
                };
    }

    private static Video progressed(Video video, JobEvent event, Instant now) {
        if (event.playableMasterPlaylist() != null) {
            return video.playable(event.jobId(), stream(event), event.at(), now);
        }
        int percent = event.percent() == null ? 0 : Math.min(100, event.percent());
        String recorded = video.job() == null ? null : video.job().phase();
        return video.progressed(event.jobId(), percent, JobPhase.later(recorded, event.phase()), event.at(), now);
    }

    private static Video.Playable stream(JobEvent event) {
        return new Video.Playable(S3Uri.parse(event.playableMasterPlaylist()).key(), event.at());
    }

    /** COMPLETE only when the outputs play; else the job failed, whatever the engine says. */
    private static Video completed(Video video, JobEvent event, JobOutputs.Produced produced, Instant now) {
        if (produced.problem() == null) {
            return video.completed(event.jobId(), produced.outputs(), event.at(), now);
        }
        Video.Failure unplayable = new Video.Failure(
                "OUTPUTS_UNPLAYABLE", "The job ended, but its outputs cannot be played: " + produced.problem());
        return video.jobFailed(event.jobId(), unplayable, event.at(), now);
    }

    private static Video.Failure failure(JobEvent event) {
        String code = event.errorCode() == null ? "TRANSCODING_FAILED" : "JOB_" + event.errorCode();
        String message = event.errorMessage() == null || event.errorMessage().isBlank()
                ? "The transcoding job failed without a reason"
                : event.errorMessage();
        return new Video.Failure(code, message);
    }
}
