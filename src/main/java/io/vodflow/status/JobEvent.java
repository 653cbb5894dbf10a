package io.vodflow.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.vodflow.storage.VideoKeys;
import io.vodflow.support.VideoSpans;
import io.vodflow.transcode.JobBounds;
import io.vodflow.transcode.TranscodeRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A "MediaConvert Job State Change" event, read leniently from its EventBridge envelope: unknown
 * fields are ignored, and only what vodflow uses is kept.
 *
 * @param attempt from userMetadata; null when the job was not submitted by vodflow's ingest
 * @param percent jobProgress.jobPercentComplete of STATUS_UPDATE, else null
 * @param phase jobProgress.currentPhase of STATUS_UPDATE, else null
 * @param trace the video's W3C traceparent from userMetadata, null when it is not traced
 * @param playableMasterPlaylist on a STATUS_UPDATE of the local engine, the master playlist of the job's
 *     stream once it plays (every rendition has a stored segment), while the job goes on; else null.
 *     MediaConvert sends no such event.
 * @param preview whether the event is about a preview of the video (fast start), not its job: from
 *     userMetadata
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
        String errorMessage,
        String trace,
        String playableMasterPlaylist,
        boolean preview) {

    /** The detail field of {@link #playableMasterPlaylist()}. */
    static final String PLAYABLE = "playableMasterPlaylist";

    /** One entry of outputGroupDetails. */
    record OutputGroup(String type, List<String> playlistFilePaths, List<OutputDetail> outputs) {}

    /** One entry of outputDetails: its first file, duration and picture size (absent for audio). */
    record OutputDetail(String filePath, long durationMs, Integer width, Integer height) {}

    /**
     * Why this event cannot be about {@code videoId}, naming the field, or empty when it can: every
     * file it names must lie under the video's prefix in the output bucket, and its counts within
     * what vodflow's jobs produce. An event that fails this was not written for this video.
     */
    Optional<String> outOfScope(String videoId, String outputBucket) {
        if (!VideoKeys.isValidId(videoId)) {
            return Optional.of("detail.userMetadata.videoId=" + videoId + " is not a video id");
        }
        if (outputGroups.size() > JobBounds.MAX_OUTPUT_GROUPS) {
            return Optional.of("detail.outputGroupDetails has " + outputGroups.size() + " groups");
        }
        String prefix = "s3://" + outputBucket + "/" + VideoKeys.outputs(videoId);
        if (playableMasterPlaylist != null && !within(playableMasterPlaylist, prefix)) {
            return Optional.of("detail." + PLAYABLE + "=" + playableMasterPlaylist + " lies outside " + prefix);
        }
        for (int g = 0; g < outputGroups.size(); g++) {
            OutputGroup group = outputGroups.get(g);
            String field = "detail.outputGroupDetails[" + g + "]";
            if (group.outputs().size() > JobBounds.MAX_OUTPUTS) {
                return Optional.of(
                        field + ".outputDetails has " + group.outputs().size() + " outputs");
            }
            for (int p = 0; p < group.playlistFilePaths().size(); p++) {
                String path = group.playlistFilePaths().get(p);
                if (!within(path, prefix)) {
                    return Optional.of(field + ".playlistFilePaths[" + p + "]=" + path + " lies outside " + prefix);
                }
            }
            for (int o = 0; o < group.outputs().size(); o++) {
                String path = group.outputs().get(o).filePath();
                if (path != null && !within(path, prefix)) {
                    return Optional.of(
                            field + ".outputDetails[" + o + "].outputFilePaths[0]=" + path + " lies outside " + prefix);
                }
                if (path != null && JobOutputs.captureCount(path) > JobBounds.MAX_CAPTURES) {
                    return Optional.of(field + ".outputDetails[" + o + "].outputFilePaths[0]=" + path
                            + " numbers more than " + JobBounds.MAX_CAPTURES + " captures");
                }
            }
        }
        return Optional.empty();
    }

    /** Under the prefix, with no ".." segment that a file system would resolve out of it. */
    private static boolean within(String path, String prefix) {
        return path.startsWith(prefix) && !path.contains("/../") && !path.endsWith("/..");
    }

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
                detail.path("errorMessage").asText(null),
                metadata.path(VideoSpans.TRACEPARENT).asText(null),
                detail.path(PLAYABLE).asText(null),
                metadata.path(TranscodeRequest.PREVIEW).asBoolean(false));
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
