package io.vodflow.status;

import io.vodflow.video.Video;
import io.vodflow.video.VideoStatus;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * How a job event changes a video. Events arrive at least once and in any order, so every field
 * merges in one direction only: the status moves forward and never leaves a terminal one, progress
 * and phase only grow, the start is the earliest start seen. Any order of the same events therefore
 * ends in the same record, and an event applied twice changes nothing.
 */
final class StatusRules {

    private static final List<String> PHASES = List.of("PROBING", "TRANSCODING", "UPLOADING");

    private StatusRules() {}

    /**
     * @param outputs what a COMPLETE event produced, resolved to output-bucket keys; null otherwise
     * @return the next version, or {@code video} itself when the event changes nothing
     */
    static Video apply(Video video, JobEvent event, Video.Outputs outputs, Instant now) {
        if (!concerns(video, event)) {
            return video;
        }
        VideoStatus target = target(event.status());
        if (target == null) {
            return video; // NEW_WARNING, QUEUE_HOP and future kinds carry nothing vodflow keeps.
        }
        Video.Job job = video.job() != null
                ? video.job()
                : new Video.Job(event.jobId(), backend(event.jobId()), 0, null, null, null, null);
        boolean moves = video.status().canMoveTo(target);
        VideoStatus status = moves ? target : video.status();

        int percent = Math.max(job.percent(), event.percent() == null ? 0 : Math.min(100, event.percent()));
        if (moves && target == VideoStatus.COMPLETE) {
            percent = 100;
        }
        Instant startedAt = target == VideoStatus.PROGRESSING ? earliest(job.startedAt(), event.at()) : job.startedAt();
        Instant completedAt = moves && target.isTerminal() ? event.at() : job.completedAt();
        Video.Job nextJob = new Video.Job(
                job.id(),
                job.backend(),
                percent,
                laterPhase(job.phase(), event.phase()),
                job.submittedAt(),
                startedAt,
                completedAt);
        Video.Outputs nextOutputs = moves && target == VideoStatus.COMPLETE ? outputs : video.outputs();
        Video.Failure nextError = moves && target == VideoStatus.ERROR
                ? new Video.Failure(errorCode(event), errorMessage(event))
                : video.error();

        if (status == video.status()
                && nextJob.equals(video.job())
                && Objects.equals(nextOutputs, video.outputs())
                && Objects.equals(nextError, video.error())) {
            return video;
        }
        return video.change(now)
                .status(status)
                .job(nextJob)
                .outputs(nextOutputs)
                .error(nextError)
                .build();
    }

    /** Whether the event is about this video's current attempt and its job. */
    private static boolean concerns(Video video, JobEvent event) {
        if (event.attempt() != null && event.attempt() != video.attempt()) {
            return false;
        }
        // No job can run for a video whose file never arrived: such an event is not about it.
        if (video.status() == VideoStatus.AWAITING_UPLOAD) {
            return false;
        }
        // A stray second job of the same attempt must not decide the video: the first recorded wins.
        return video.job() == null || video.job().id().equals(event.jobId());
    }

    /** Whether the event ends its job: nothing is written after it. */
    static boolean isFinal(JobEvent event) {
        VideoStatus target = target(event.status());
        return target != null && target.isTerminal();
    }

    private static VideoStatus target(String status) {
        return switch (status) {
            case "PROGRESSING", "STATUS_UPDATE", "INPUT_INFORMATION" -> VideoStatus.PROGRESSING;
            case "COMPLETE" -> VideoStatus.COMPLETE;
            case "ERROR" -> VideoStatus.ERROR;
            case "CANCELED" -> VideoStatus.CANCELED;
            default -> null;
        };
    }

    static String backend(String jobId) {
        return jobId.startsWith("local-") ? "local" : "mediaconvert";
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null || (b != null && b.isBefore(a)) ? b : a;
    }

    private static String laterPhase(String current, String next) {
        if (next == null || !PHASES.contains(next)) {
            return current;
        }
        return current == null || PHASES.indexOf(next) > PHASES.indexOf(current) ? next : current;
    }

    private static String errorCode(JobEvent event) {
        return event.errorCode() == null ? "TRANSCODING_FAILED" : "JOB_" + event.errorCode();
    }

    private static String errorMessage(JobEvent event) {
        return event.errorMessage() == null || event.errorMessage().isBlank()
                ? "The transcoding job failed without a reason"
                : event.errorMessage();
    }
}
