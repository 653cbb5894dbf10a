package io.vodflow.transcode;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * One job to run: the fitted MediaConvert JobSettings for a video's attempt.
 *
 * @param settings JobSettings as MediaConvert documents them (PascalCase), inputs and destinations filled in
 */
public record TranscodeRequest(String videoId, int attempt, ObjectNode settings) {

    /** Echoed by every job event, so that events find their video and attempt. */
    public Map<String, String> userMetadata() {
        return Map.of("videoId", videoId, "attempt", Integer.toString(attempt));
    }

    /** The same for every submission of this attempt: engines use it to refuse duplicates. */
    public String idempotencyToken() {
        return videoId + "-" + attempt;
    }
}
