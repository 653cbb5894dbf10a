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
 */
public record TranscodeRequest(String videoId, int attempt, String owner, String trace, ObjectNode settings) {

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
        return metadata;
    }

    /** The same for every submission of this attempt: engines use it to refuse duplicates. */
    public String idempotencyToken() {
        return videoId + "-" + attempt;
    }
}
