package io.vodflow.support;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Logs a line about one video with the video's id as a field of its own ({@code mdc.videoId} in the
 * JSON lines of production), so that one video's upload, job and events are found together. The
 * field is set and cleared around the one line: reactive code hops threads, and a value left behind
 * would mark the lines of other videos.
 */
public final class VideoLog {

    public static final String VIDEO_ID = "videoId";

    private VideoLog() {}

    public static void infof(Logger log, String videoId, String format, Object... params) {
        about(videoId, () -> log.infof(format, params));
    }

    public static void warnf(Logger log, String videoId, String format, Object... params) {
        about(videoId, () -> log.warnf(format, params));
    }

    private static void about(String videoId, Runnable line) {
        Object previous = MDC.put(VIDEO_ID, videoId);
        try {
            line.run();
        } finally {
            if (previous == null) {
                MDC.remove(VIDEO_ID);
            } else {
                MDC.put(VIDEO_ID, previous);
            }
        }
    }
}
