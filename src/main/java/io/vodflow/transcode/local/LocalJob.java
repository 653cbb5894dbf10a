package io.vodflow.transcode.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vodflow.support.VideoSpans;
import io.vodflow.transcode.TranscodeRequest;
import java.time.Instant;
import java.util.Map;

/**
 * A job of the local engine, as it travels through the transcode-jobs queue.
 *
 * @param settings MediaConvert JobSettings, as the MediaConvert backend would send them
 * @param userMetadata echoed in every job event, as MediaConvert does
 */
@RegisterForReflection
record LocalJob(String jobId, Instant createdAt, Map<String, String> userMetadata, ObjectNode settings) {

    String videoId() {
        return userMetadata == null ? null : userMetadata.get("videoId");
    }

    /** The video's trace, or null when it is not traced. */
    String trace() {
        return userMetadata == null ? null : userMetadata.get(VideoSpans.TRACEPARENT);
    }

    int attempt() {
        return Integer.parseInt(userMetadata.getOrDefault("attempt", "1"));
    }

    boolean preview() {
        return "true".equals(userMetadata.get(TranscodeRequest.PREVIEW));
    }
}
