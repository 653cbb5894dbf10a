package io.vodflow.transcode.mediaconvert;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vodflow.storage.ObjectStore;
import io.vodflow.storage.S3Uri;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.mediaconvert.model.Job;
import software.amazon.awssdk.services.mediaconvert.model.OutputDetail;
import software.amazon.awssdk.services.mediaconvert.model.OutputGroup;
import software.amazon.awssdk.services.mediaconvert.model.OutputGroupDetail;
import software.amazon.awssdk.services.mediaconvert.model.OutputGroupType;

/**
 * The detail of a job's final "MediaConvert Job State Change" event, rebuilt from GetJob for a job
 * whose event vodflow never received: the same fields the status consumer reads from a real one.
 */
final class FinalEvents {

    private FinalEvents() {}

    /** ERROR (with its code and message) or CANCELED. */
    static ObjectNode ended(Job job) {
        ObjectNode detail = detail(job);
        if (job.errorCode() != null) {
            detail.put("errorCode", job.errorCode());
        }
        if (job.errorMessage() != null) {
            detail.put("errorMessage", job.errorMessage());
        }
        return detail;
    }

    /** COMPLETE, with every output group's files in the order of the settings. */
    static Uni<ObjectNode> complete(Job job, ObjectStore store) {
        List<OutputGroup> planned = job.settings().outputGroups();
        List<OutputGroupDetail> produced = job.outputGroupDetails();
        List<Uni<ObjectNode>> groups = new ArrayList<>();
        for (int i = 0; i < planned.size(); i++) {
            List<OutputDetail> details = i < produced.size() ? produced.get(i).outputDetails() : List.of();
            groups.add(group(planned.get(i), details, store));
        }
        Uni<List<ObjectNode>> all = groups.isEmpty()
                ? Uni.createFrom().item(List.of())
                : Uni.join().all(groups).andFailFast();
        return all.map(nodes -> {
            ObjectNode detail = detail(job);
            ArrayNode array = detail.putArray("outputGroupDetails");
            nodes.stream().filter(node -> node != null).forEach(array::add);
            return detail;
        });
    }

    /** One output group's details; null for a kind vodflow does not read. */
    private static Uni<ObjectNode> group(OutputGroup group, List<OutputDetail> details, ObjectStore store) {
        OutputGroupType type = group.outputGroupSettings().type();
        if (type == OutputGroupType.HLS_GROUP_SETTINGS) {
            String destination = group.outputGroupSettings().hlsGroupSettings().destination();
            ObjectNode node = node("HLS_GROUP", details);
            node.putArray("playlistFilePaths").add(destination + ".m3u8");
            ArrayNode outputs = (ArrayNode) node.get("outputDetails");
            for (int j = 0; j < outputs.size() && j < group.outputs().size(); j++) {
                String modifier = group.outputs().get(j).nameModifier();
                ((ObjectNode) outputs.get(j))
                        .putArray("outputFilePaths")
                        .add(destination + (modifier == null ? "" : modifier) + ".m3u8");
            }
            return Uni.createFrom().item(node);
        }
        if (type == OutputGroupType.FILE_GROUP_SETTINGS) {
            S3Uri destination =
                    S3Uri.parse(group.outputGroupSettings().fileGroupSettings().destination());
            return store.lastKey(destination.bucket(), destination.key()).map(last -> {
                ObjectNode node = node(
                        "FILE_GROUP",
                        details.isEmpty() ? List.of(OutputDetail.builder().build()) : details);
                if (last != null) {
                    ((ObjectNode) node.get("outputDetails").get(0))
                            .putArray("outputFilePaths")
                            .add(new S3Uri(destination.bucket(), last).toString());
                }
                return node;
            });
        }
        return Uni.createFrom().nullItem();
    }

    private static ObjectNode node(String type, List<OutputDetail> details) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("type", type);
        ArrayNode outputs = node.putArray("outputDetails");
        for (OutputDetail detail : details) {
            ObjectNode output = outputs.addObject();
            if (detail.durationInMs() != null) {
                output.put("durationInMs", detail.durationInMs());
            }
            if (detail.videoDetails() != null) {
                output.putObject("videoDetails")
                        .put("widthInPx", detail.videoDetails().widthInPx())
                        .put("heightInPx", detail.videoDetails().heightInPx());
            }
        }
        return node;
    }

    private static ObjectNode detail(Job job) {
        ObjectNode detail = JsonNodeFactory.instance.objectNode();
        Instant at = job.timing() != null && job.timing().finishTime() != null
                ? job.timing().finishTime()
                : Instant.now();
        detail.put("timestamp", at.toEpochMilli());
        detail.put("accountId", accountOf(job.arn()));
        detail.put("jobId", job.id());
        detail.put("status", job.statusAsString());
        ObjectNode metadata = detail.putObject("userMetadata");
        if (job.userMetadata() != null) {
            job.userMetadata().forEach(metadata::put);
        }
        return detail;
    }

    /** arn:aws:mediaconvert:region:account:jobs/id */
    private static String accountOf(String arn) {
        String[] parts = arn == null ? new String[0] : arn.split(":");
        return parts.length > 4 ? parts[4] : "unknown";
    }
}
