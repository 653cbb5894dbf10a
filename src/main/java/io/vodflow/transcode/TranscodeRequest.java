package io.vodflow.transcode;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vodflow.support.VideoSpans;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One job to run: the fitted MediaConvert JobSettings for a video's attempt.
 *
 * @param owner the video's owner, or null for a video made before videos had owners
 * @param trace the video's W3C traceparent, or null when it is not traced
 * @param settings JobSettings as MediaConvert documents them (PascalCase), inputs and destinations filled in
 * @param preview whether this is the attempt's preview (see {@link FastStart}) rather than its job
 */
public record TranscodeRequest(
        String videoId, int attempt, String owner, String trace, ObjectNode settings, boolean preview) {

    /** The userMetadata entry that marks a preview's events. */
    public static final String PREVIEW = "preview";

    /** The attempt's job. */
    public TranscodeRequest(String videoId, int attempt, String owner, String trace, ObjectNode settings) {
        this(videoId, attempt, owner, trace, settings, false);
    }

    /** The attempt's preview, with these settings. */
    TranscodeRequest asPreview(ObjectNode previewSettings) {
        return new TranscodeRequest(videoId, attempt, owner, trace, previewSettings, true);
    }

    /**
     * Echoed by every job event, so that events find their video and attempt, and whoever reads a
     * job or its events (a webhook, an audit) knows whose video it was; and so that the job's and its
     * events' spans join the video's trace.
     */
    public Map<String, String> userMetadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("videoId", videoId);
        metadata.put("attempt", Integer.toString(attempt));
        if (owner != null) {
            metadata.put("owner", owner);
        }
        if (trace != null) {
            metadata.put(VideoSpans.TRACEPARENT, trace);
        }
        if (preview) {
            metadata.put(PREVIEW, "true");
        }
        return metadata;
    }

    /** The same for every submission of this attempt: engines use it to refuse duplicates. */
    public String idempotencyToken() {
        return idempotencyToken(videoId, attempt, preview);
    }

    public static String idempotencyToken(String videoId, int attempt, boolean preview) {
        return videoId + "-" + attempt + (preview ? "-" + PREVIEW : "");
    }
}
