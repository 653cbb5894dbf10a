package io.vodflow.transcode.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.vodflow.config.VodflowConfig;
import io.vodflow.storage.VideoKeys;
import io.vodflow.transcode.JobBounds;
import io.vodflow.transcode.TranscodeRequest;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a job of the local engine may touch: its own video's attempt's job id (and with it the job's
 * lease and ledger entry), its own video's source in the input bucket, files under that video's
 * prefix in the output bucket, and renditions within the media ceilings. Ingest writes
 * only such jobs; a message naming anything else did not come from it, and is refused before the
 * worker reads, writes or reports a thing.
 */
final class JobScope {

    /** Names the engine turns into local file names: no separators, no dots. */
    private static final Pattern NAME_MODIFIER = Pattern.compile("[A-Za-z0-9_-]{0,64}");
    /** Output keys below the video's prefix: plain segments, never "..". */
    private static final Pattern OUTPUT_KEY = Pattern.compile("([A-Za-z0-9_-]+/)*[A-Za-z0-9_-]+");

    private JobScope() {}

    /** Why the job is out of its video's scope, naming the field, or empty when it is within. */
    static Optional<String> violation(LocalJob job, VodflowConfig config) {
        String id = job.videoId();
        if (!VideoKeys.isValidId(id)) {
            return Optional.of("userMetadata.videoId=" + id + " is not a video id");
        }
        Optional<String> foreignJob = foreignJob(job);
        if (foreignJob.isPresent()) {
            return foreignJob;
        }
        JsonNode settings = job.settings();
        if (settings == null) {
            return Optional.of("Settings is missing");
        }
        String source = "s3://" + config.storage().inputBucket() + "/" + VideoKeys.source(id);
        JsonNode inputs = settings.path("Inputs");
        for (int i = 0; i < inputs.size(); i++) {
            String input = inputs.get(i).path("FileInput").asText(null);
            if (!source.equals(input)) {
                return Optional.of("Settings.Inputs[" + i + "].FileInput=" + input + " is not " + source);
            }
        }
        JsonNode groups = settings.path("OutputGroups");
        if (groups.size() > JobBounds.MAX_OUTPUT_GROUPS) {
            return Optional.of("Settings.OutputGroups has " + groups.size() + " groups");
        }
        String outputs = "s3://" + config.storage().outputBucket() + "/" + VideoKeys.outputs(id);
        for (int g = 0; g < groups.size(); g++) {
            Optional<String> violation =
                    groupViolation(groups.get(g), "Settings.OutputGroups[" + g + "]", outputs, config.ceilings());
            if (violation.isPresent()) {
                return violation;
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the job id is not its video's attempt's (as {@link LocalTranscoder#jobId} makes it): the
     * run would hold that other job's lease and record its end in the ledger, which then skips the
     * real job's message.
     */
    private static Optional<String> foreignJob(LocalJob job) {
        int attempt;
        try {
            attempt = job.attempt();
        } catch (NumberFormatException e) {
            return Optional.of("userMetadata.attempt=" + job.userMetadata().get("attempt") + " is not a number");
        }
        String expected =
                LocalTranscoder.jobId(TranscodeRequest.idempotencyToken(job.videoId(), attempt, job.preview()));
        return expected.equals(job.jobId())
                ? Optional.empty()
                : Optional.of("jobId=" + job.jobId() + " is not the job of attempt " + attempt + " of video "
                        + job.videoId());
    }

    private static Optional<String> groupViolation(
            JsonNode group, String field, String outputs, VodflowConfig.Ceilings ceilings) {
        JsonNode groupSettings = group.path("OutputGroupSettings");
        for (String type : new String[] {"HlsGroupSettings", "FileGroupSettings"}) {
            JsonNode destination = groupSettings.path(type).path("Destination");
            if (!destination.isMissingNode() && !within(destination.asText(), outputs)) {
                return Optional.of(field + ".OutputGroupSettings." + type + ".Destination=" + destination.asText()
                        + " lies outside " + outputs);
            }
        }
        JsonNode outputList = group.path("Outputs");
        if (outputList.size() > JobBounds.MAX_OUTPUTS) {
            return Optional.of(field + ".Outputs has " + outputList.size() + " outputs");
        }
        for (int o = 0; o < outputList.size(); o++) {
            JsonNode output = outputList.get(o);
            String at = field + ".Outputs[" + o + "]";
            String modifier = output.path("NameModifier").asText("");
            if (!NAME_MODIFIER.matcher(modifier).matches()) {
                return Optional.of(at + ".NameModifier=" + modifier + " is not a plain name");
            }
            Optional<String> violation = videoViolation(output.path("VideoDescription"), at, ceilings);
            if (violation.isPresent()) {
                return violation;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> videoViolation(JsonNode video, String at, VodflowConfig.Ceilings ceilings) {
        String field = at + ".VideoDescription";
        if (video.path("Width").asLong() > ceilings.maxWidth()) {
            return Optional.of(field + ".Width=" + video.path("Width").asLong() + " exceeds " + ceilings.maxWidth());
        }
        if (video.path("Height").asLong() > ceilings.maxHeight()) {
            return Optional.of(field + ".Height=" + video.path("Height").asLong() + " exceeds " + ceilings.maxHeight());
        }
        JsonNode codec = video.path("CodecSettings");
        for (String rate : new String[] {"Bitrate", "MaxBitrate"}) {
            long value = codec.path("H264Settings").path(rate).asLong();
            if (value > ceilings.maxBitrate()) {
                return Optional.of(field + ".CodecSettings.H264Settings." + rate + "=" + value + " exceeds "
                        + ceilings.maxBitrate());
            }
        }
        long captures = codec.path("FrameCaptureSettings").path("MaxCaptures").asLong();
        if (captures > JobBounds.MAX_CAPTURES) {
            return Optional.of(field + ".CodecSettings.FrameCaptureSettings.MaxCaptures=" + captures + " exceeds "
                    + JobBounds.MAX_CAPTURES);
        }
        return Optional.empty();
    }

    private static boolean within(String destination, String outputs) {
        return destination.startsWith(outputs)
                && OUTPUT_KEY.matcher(destination.substring(outputs.length())).matches();
    }
}
