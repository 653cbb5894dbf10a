package io.vodflow.video;

/**
 * Where a video is in the pipeline. Statuses only move forward, in declaration order; COMPLETE,
 * ERROR and CANCELED are terminal and left only by an explicit retry, which starts a new attempt.
 */
public enum VideoStatus {
    /** Created; the client has presigned URLs and has not finished uploading. */
    AWAITING_UPLOAD,
    /** The source arrived and was claimed by the ingest consumer, which probes it and submits a job. */
    UPLOADED,
    /** A transcoding job exists; MediaConvert or the local engine has not started it yet. */
    SUBMITTED,
    /** The job runs; progress and phase tell how far it is. */
    PROGRESSING,
    /** HLS renditions and thumbnails are ready to play. */
    COMPLETE,
    /** The upload or the job failed; the record says why. */
    ERROR,
    /** The upload or the job was canceled. */
    CANCELED;

    public boolean isTerminal() {
        return this == COMPLETE || this == ERROR || this == CANCELED;
    }

    /** Whether a video in this status may move to {@code next}: forward only, never out of a terminal one. */
    public boolean canMoveTo(VideoStatus next) {
        return !isTerminal() && next.ordinal() > ordinal();
    }
}
