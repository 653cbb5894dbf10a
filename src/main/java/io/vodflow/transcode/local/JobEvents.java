package io.vodflow.transcode.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vodflow.config.VodflowConfig;
import io.vodflow.messaging.SqsQueue;
import io.vodflow.support.VideoLog;
import io.vodflow.transcode.JobPhase;
import io.vodflow.transcode.JobStateChange;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * Publishes the local engine's job events in the EventBridge envelope of "MediaConvert Job State
 * Change", exactly as AWS delivers MediaConvert's, so that one status consumer serves both engines.
 */
@ApplicationScoped
class JobEvents {

    private static final Logger LOG = Logger.getLogger(JobEvents.class);

    static final String ACCOUNT = "000000000000";
    static final String REGION = "local";

    private final SqsQueue queue;
    private final JobLedger ledger;
    private final ObjectMapper json;

    JobEvents(SqsAsyncClient sqs, JobLedger ledger, ObjectMapper json, VodflowConfig config) {
        this.queue = new SqsQueue(sqs, config.queues().jobEvents());
        this.ledger = ledger;
        this.json = json;
    }

    /** A file a run produced, for COMPLETE's outputDetails: where it is and, for pictures, its size. */
    record ProducedFile(String filePath, long durationMs, Integer width, Integer height) {}

    /** An output group a run produced, for COMPLETE's outputGroupDetails. */
    record ProducedGroup(String type, List<String> playlistFilePaths, List<ProducedFile> outputs) {}

    void progressing(LocalJob job) {
        send(detail(job, "PROGRESSING"));
    }

    /**
     * @param phasePercent how far the current phase is
     */
    void statusUpdate(
            LocalJob job, JobPhase phase, int jobPercent, int phasePercent, long framesDecoded, int retryCount) {
        ObjectNode detail = detail(job, "STATUS_UPDATE");
        detail.put("framesDecoded", framesDecoded);
        ObjectNode progress = detail.putObject("jobProgress");
        ObjectNode phases = progress.putObject("phaseProgress");
        for (JobPhase each : JobPhase.values()) {
            int order = each.compareTo(phase);
            ObjectNode entry = phases.putObject(each.name());
            entry.put("status", order < 0 ? "COMPLETE" : order == 0 ? "PROGRESSING" : "PENDING");
            entry.put("percentComplete", order < 0 ? 100 : order == 0 ? phasePercent : 0);
        }
        progress.put("jobPercentComplete", jobPercent);
        progress.put("currentPhase", phase.name());
        progress.put("retryCount", retryCount);
        send(detail);
    }

    /**
     * The job's stream plays from now on, while the job goes on: a STATUS_UPDATE naming its master
     * playlist (a field of vodflow's own; MediaConvert has no such event).
     */
    void playable(LocalJob job, String masterPlaylist) {
        ObjectNode detail = detail(job, "STATUS_UPDATE");
        detail.put("playableMasterPlaylist", masterPlaylist);
        send(detail);
    }

    void complete(LocalJob job, List<ProducedGroup> groups) {
        ObjectNode detail = detail(job, "COMPLETE");
        ArrayNode groupsNode = detail.putArray("outputGroupDetails");
        for (ProducedGroup group : groups) {
            ObjectNode groupNode = groupsNode.addObject();
            ArrayNode outputs = groupNode.putArray("outputDetails");
            for (ProducedFile output : group.outputs()) {
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
        sendFinal(job, detail);
    }

    /** @param code a MediaConvert-style error code (1010 unreadable input, 1030 unsupported setting, ...) */
    void error(LocalJob job, int code, String message) {
        // A preview's end changes no status, so this is where the operators read why it failed.
        VideoLog.warnf(
                LOG,
                job.videoId(),
                "Job %s of video %s ends in ERROR %d: %s",
                job.jobId(),
                job.videoId(),
                code,
                message);
        ObjectNode detail = detail(job, "ERROR");
        detail.put("errorCode", code);
        detail.put("errorMessage", message);
        sendFinal(job, detail);
    }

    void canceled(LocalJob job) {
        sendFinal(job, detail(job, "CANCELED"));
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

    /**
     * Keeps the job's last event in the ledger, then sends it. In this order, once the event may have
     * reached the video the ledger says the job ended, so that no later copy of its message runs it
     * again over the outputs the video now plays; should the event be lost on its way, the
     * reconciler applies the kept one.
     */
    private void sendFinal(LocalJob job, ObjectNode detail) {
        String event = event(detail);
        ledger.ended(job.jobId(), event);
        send(event);
    }

    /** Sends a final event again, as the ledger kept it. */
    void resend(String finalEvent) {
        send(finalEvent);
    }

    private void send(ObjectNode detail) {
        send(event(detail));
    }

    /**
     * Waits until SQS has the event (bounded by the client's call timeout): events are few, and their
     * order helps subscribers.
     */
    private void send(String event) {
        queue.send(event, null).join();
    }

    /**
     * The event in its envelope. Its trace travels in its userMetadata, where MediaConvert's events
     * carry it too (they come through EventBridge, which sets no message attributes).
     */
    private static String event(ObjectNode detail) {
        return JobStateChange.envelope(detail, ACCOUNT, REGION).toString();
    }
}
