package io.vodflow.video;

/**
 * Fired (synchronously, as a CDI event) after every successful write of a video, whoever made it: the
 * broadcaster publishes it to subscribers, metrics count finished videos. Observers must not block.
 *
 * @param before the stored video the change was computed from; null for a new video
 */
public record VideoChanged(Video before, Video after) {

    /** Whether this change moved the video into COMPLETE, ERROR or CANCELED. */
    public boolean finished() {
        return after.status().isTerminal()
                && (before == null || !before.status().isTerminal());
    }
}
