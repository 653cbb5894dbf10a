package io.vodflow.transcode;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * The EventBridge envelope of a "MediaConvert Job State Change" event, as AWS delivers MediaConvert's:
 * the one shape every engine's events take, so that one status consumer serves them all.
 */
public final class JobStateChange {

    private JobStateChange() {}

    /**
     * @param detail the event's detail: jobId, status, userMetadata and what the status carries
     * @param account the AWS account, or a placeholder for the local engine
     * @param region the AWS region, or {@code local}
     */
    public static ObjectNode envelope(ObjectNode detail, String account, String region) {
        ObjectNode envelope = JsonNodeFactory.instance.objectNode();
        envelope.put("version", "0");
        envelope.put("id", UUID.randomUUID().toString());
        envelope.put("detail-type", "MediaConvert Job State Change");
        envelope.put("source", "aws.mediaconvert");
        envelope.put("account", account);
        envelope.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        envelope.put("region", region);
        envelope.putArray("resources")
                .add("arn:aws:mediaconvert:" + region + ":" + account + ":jobs/"
                        + detail.path("jobId").asText());
        envelope.set("detail", detail);
        return envelope;
    }
}
