package io.vodflow.status;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * A "MediaConvert Job State Change" event, read leniently from its EventBridge envelope: unknown
 * fields are ignored, and only what vodflow uses is kept.
 *
 * @param attempt from userMetadata; null when the job was not submitted by vodflow's ingest
 * @param percent jobProgress.jobPercentComplete of STATUS_UPDATE, else null
 * @param phase jobProgress.currentPhase of STATUS_UPDATE, else null
 */
record JobEvent(
        String jobId,
        String status,
        String videoId,
        Integer attempt,
        Instant at,
        Integer percent,
        String phase,
        List<OutputGroup> outputGroups,
        String errorCode,
        String errorMessage) {

    /** One entry of outputGroupDetails. */
    record OutputGroup(String type, List<String> playlistFilePaths, List<OutputDetail> outputs) {}

    /** One entry of outputDetails: its first file, duration and picture size (absent for audio). */
    record OutputDetail(String filePath, long durationMs, Integer width, Integer height) {}

    /** @throws IllegalArgumentException if the JSON is not a MediaConvert job state change */
    static JobEvent parse(JsonNode envelope) {
        JsonNode detail = envelope.path("detail");
        String jobId = detail.path("jobId").asText(null);
        String status = detail.path("status").asText(null);
        if (jobId == null || status == null) {
            throw new IllegalArgumentException("not a MediaConvert job state change: no detail.jobId or detail.status");
        }
        JsonNode metadata = detail.path("userMetadata");
        JsonNode progress = detail.path("jobProgress");
        return new JobEvent(
                jobId,
                status,
                metadata.path("videoId").asText(null),
                metadata.hasNonNull("attempt")
                        ? parseInt(metadata.path("attempt").asText())
                        : null,
                time(envelope, detail),
                progress.hasNonNull("jobPercentComplete")
                        ? progress.path("jobPercentComplete").asInt()
                        : null,
                progress.path("currentPhase").asText(null),
                outputGroups(detail.path("outputGroupDetails")),
                detail.hasNonNull("errorCode") ? detail.path("errorCode").asText() : null,
                detail.path("errorMessage").asText(null));
    }

    private static Instant time(JsonNode envelope, JsonNode detail) {
        if (detail.path("timestamp").isNumber()) {
            return Instant.ofEpochMilli(detail.path("timestamp").asLong());
        }
        try {
            return Instant.parse(envelope.path("time").asText());
        } catch (DateTimeParseException e) {
            return Instant.now();
        }
    }

    private static List<OutputGroup> outputGroups(JsonNode groups) {
        List<OutputGroup> result = new ArrayList<>();
        for (JsonNode group : groups) {
            List<OutputDetail> outputs = new ArrayList<>();
            for (JsonNode output : group.path("outputDetails")) {
                JsonNode video = output.path("videoDetails");
                outputs.add(new OutputDetail(
                        output.path("outputFilePaths").path(0).asText(null),
                        output.path("durationInMs").asLong(0),
                        video.hasNonNull("widthInPx") ? video.path("widthInPx").asInt() : null,
                        video.hasNonNull("heightInPx")
                                ? video.path("heightInPx").asInt()
                                : null));
            }
            List<String> playlists = new ArrayList<>();
            group.path("playlistFilePaths").forEach(path -> playlists.add(path.asText()));
            result.add(new OutputGroup(group.path("type").asText(""), playlists, outputs));
        }
        return result;
    }

    private static Integer parseInt(String text) {
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
