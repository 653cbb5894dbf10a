package io.vodflow.transcode.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Publishes the local engine's job events in the EventBridge envelope of "MediaConvert Job State
 * Change", exactly as AWS delivers MediaConvert's, so that one status consumer serves both engines.
 */
@ApplicationScoped
class JobEvents {

    static final String ACCOUNT = "000000000000";
    static final String REGION = "local";
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final MutinyEmitter<String> emitter;
    private final ObjectMapper json;

    JobEvents(@Channel("job-events-out") MutinyEmitter<String> emitter, ObjectMapper json) {
        this.emitter = emitter;
        this.json = json;
    }

    /** One output's details for COMPLETE: its file and, for pictures, its size. */
    record OutputDetail(String filePath, long durationMs, Integer width, Integer height) {}

    /** One output group's details for COMPLETE. */
    record GroupDetail(String type, List<String> playlistFilePaths, List<OutputDetail> outputs) {}

    void progressing(LocalJob job) {
        send(job, detail(job, "PROGRESSING"));
    }

    /**
     * @param phase PROBING, TRANSCODING or UPLOADING
     * @param phasePercent how far the current phase is
     */
    void statusUpdate(
            LocalJob job, String phase, int jobPercent, int phasePercent, long framesDecoded, int retryCount) {
        ObjectNode detail = detail(job, "STATUS_UPDATE");
        detail.put("framesDecoded", framesDecoded);
        ObjectNode progress = detail.putObject("jobProgress");
        ObjectNode phases = progress.putObject("phaseProgress");
        List<String> order = List.of("PROBING", "TRANSCODING", "UPLOADING");
        int current = order.indexOf(phase);
        for (int i = 0; i < order.size(); i++) {
            ObjectNode entry = phases.putObject(order.get(i));
            entry.put("status", i < current ? "COMPLETE" : i == current ? "PROGRESSING" : "PENDING");
            entry.put("percentComplete", i < current ? 100 : i == current ? phasePercent : 0);
        }
        progress.put("jobPercentComplete", jobPercent);
        progress.put("currentPhase", phase);
        progress.put("retryCount", retryCount);
        send(job, detail);
    }

    void complete(LocalJob job, List<GroupDetail> groups) {
        ObjectNode detail = detail(job, "COMPLETE");
        ArrayNode groupsNode = detail.putArray("outputGroupDetails");
        for (GroupDetail group : groups) {
            ObjectNode groupNode = groupsNode.addObject();
            ArrayNode outputs = groupNode.putArray("outputDetails");
            for (OutputDetail output : group.outputs()) {
                ObjectNode outputNode = outputs.addObject();
                outputNode.putArray("outputFilePaths").add(output.filePath());
                outputNode.put("durationInMs", output.durationMs());
                if (output.width() != null) {
                    ObjectNode video = outputNode.putObject("videoDetails");
                    video.put("widthInPx", output.width());
                    video.put("heightInPx", output.height());
                }
            }
            if (group.playlistFilePaths() != null) {
                ArrayNode playlists = groupNode.putArray("playlistFilePaths");
                group.playlistFilePaths().forEach(playlists::add);
            }
            groupNode.put("type", group.type());
        }
        send(job, detail);
    }

    /** @param code a MediaConvert-style error code (1010 unreadable input, 1030 unsupported setting, ...) */
    void error(LocalJob job, int code, String message) {
        ObjectNode detail = detail(job, "ERROR");
        detail.put("errorCode", code);
        detail.put("errorMessage", message);
        send(job, detail);
    }

    void canceled(LocalJob job) {
        send(job, detail(job, "CANCELED"));
    }

    private ObjectNode detail(LocalJob job, String status) {
        ObjectNode detail = json.createObjectNode();
        detail.put("timestamp", Instant.now().toEpochMilli());
        detail.put("accountId", ACCOUNT);
        detail.put("queue", "arn:aws:mediaconvert:" + REGION + ":" + ACCOUNT + ":queues/Default");
        detail.put("jobId", job.jobId());
        detail.put("status", status);
        ObjectNode metadata = detail.putObject("userMetadata");
        job.userMetadata().forEach(metadata::put);
        return detail;
    }

    /** Waits until SQS has the event: events are few, and their order helps subscribers. */
    private void send(LocalJob job, ObjectNode detail) {
        ObjectNode envelope = json.createObjectNode();
        envelope.put("version", "0");
        envelope.put("id", UUID.randomUUID().toString());
        envelope.put("detail-type", "MediaConvert Job State Change");
        envelope.put("source", "aws.mediaconvert");
        envelope.put("account", ACCOUNT);
        envelope.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        envelope.put("region", REGION);
        envelope.putArray("resources").add("arn:aws:mediaconvert:" + REGION + ":" + ACCOUNT + ":jobs/" + job.jobId());
        envelope.set("detail", detail);
        emitter.send(envelope.toString()).await().atMost(SEND_TIMEOUT);
    }
}
