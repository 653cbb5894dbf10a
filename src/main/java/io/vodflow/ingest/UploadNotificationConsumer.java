package io.vodflow.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.aws.sqs.SqsIncomingMetadata;
import io.smallrye.reactive.messaging.aws.sqs.fault.VisibilityTimeoutMetadata;
import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Consumes the S3 notifications of the uploads queue. A message is acknowledged (deleted) once every
 * record in it is handled. A passing fault leaves it unacknowledged for a while, so that SQS delivers
 * it again; a message that is not a notification is returned at once, and after five receives SQS
 * moves it to the dead-letter queue. The consumer itself never stops.
 */
@ApplicationScoped
public class UploadNotificationConsumer {

    private static final Logger LOG = Logger.getLogger(UploadNotificationConsumer.class);

    private final IngestService ingest;
    private final ObjectMapper json;
    private final int retryDelaySeconds;

    UploadNotificationConsumer(IngestService ingest, ObjectMapper json, VodflowConfig config) {
        this.ingest = ingest;
        this.json = json;
        this.retryDelaySeconds = (int) config.ingest().retryDelay().toSeconds();
    }

    @Incoming("uploads")
    public Uni<Void> consume(Message<String> message) {
        software.amazon.awssdk.services.sqs.model.Message sqs = message.getMetadata(SqsIncomingMetadata.class)
                .map(SqsIncomingMetadata::getMessage)
                .orElseThrow();
        List<String> keys;
        try {
            keys = S3Notifications.createdKeys(message.getPayload(), json);
        } catch (IllegalArgumentException e) {
            if (firstReceive(sqs)) {
                LOG.warnf(
                        "Message %s on the uploads queue is %s; it goes to the dead-letter queue",
                        sqs.messageId(), e.getMessage());
            }
            return nack(message, e, 0);
        }
        return Multi.createFrom()
                .iterable(keys)
                .onItem()
                .transformToUniAndConcatenate(key -> ingest.ingest(key, sqs.messageId()))
                .collect()
                .last()
                .onItemOrFailure()
                .transformToUni((ignored, failure) -> {
                    if (failure == null) {
                        return Uni.createFrom().completionStage(message::ack);
                    }
                    LOG.warnf(
                            "Upload notification %s failed (receive %s), retrying in %d s: %s",
                            sqs.messageId(),
                            sqs.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "?"),
                            retryDelaySeconds,
                            failure.toString());
                    return nack(message, failure, retryDelaySeconds);
                });
    }

    private static Uni<Void> nack(Message<String> message, Throwable reason, int visibilitySeconds) {
        return Uni.createFrom()
                .completionStage(
                        () -> message.nack(reason, Metadata.of(new VisibilityTimeoutMetadata(visibilitySeconds))));
    }

    static boolean firstReceive(software.amazon.awssdk.services.sqs.model.Message sqs) {
        return "1".equals(sqs.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1"));
    }
}
