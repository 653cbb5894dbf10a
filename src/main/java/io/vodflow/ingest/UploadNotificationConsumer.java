package io.vodflow.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.messaging.Deliveries;
import io.vodflow.metrics.PipelineMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes the S3 notifications of the uploads queue. A message is done once every record in it is
 * handled. A passing fault leaves it in the queue for a while, so that SQS delivers it again; on its
 * last allowed delivery its videos end in ERROR rather than wait for ever. A message that is not a
 * notification of the input bucket, or reports a source that is not there while its video waits for
 * it, is rejected and reaches the dead-letter queue. The consumer itself never stops.
 */
@ApplicationScoped
public class UploadNotificationConsumer {

    private static final Logger LOG = Logger.getLogger(UploadNotificationConsumer.class);

    private final IngestService ingest;
    private final PipelineMetrics metrics;
    private final ObjectMapper json;
    private final Duration retryDelay;
    private final int maxDeliveries;
    private final String queue;
    private final String bucket;

    UploadNotificationConsumer(IngestService ingest, PipelineMetrics metrics, ObjectMapper json, VodflowConfig config) {
        this.ingest = ingest;
        this.metrics = metrics;
        this.json = json;
        this.retryDelay = config.ingest().retryDelay();
        this.maxDeliveries = config.ingest().maxDeliveries();
        this.queue = config.queues().uploads();
        this.bucket = config.storage().inputBucket();
    }

    /** Sends a message that is no true notification to the dead-letter queue, logging it once. */
    private static Uni<Void> refuse(Message<String> message, String deliveryId, Throwable why) {
        if (Deliveries.firstReceive(message)) {
            LOG.warnf(
                    "Message %s on the uploads queue is refused (%s); it goes to the dead-letter queue",
                    deliveryId, why.getMessage());
        }
        return Deliveries.reject(message, why);
    }

    @Incoming("uploads")
    public Uni<Void> consume(Message<String> message) {
        String deliveryId = Deliveries.sqs(message).messageId();
        metrics.lag(queue, Deliveries.sentAt(message));
        List<String> keys;
        try {
            keys = S3Notifications.createdKeys(message.getPayload(), json, bucket);
        } catch (IllegalArgumentException e) {
            return refuse(message, deliveryId, e);
        }
        return Multi.createFrom()
                .iterable(keys)
                .onItem()
                .transformToUniAndConcatenate(key -> ingest.ingest(key, deliveryId))
                .collect()
                .last()
                .onItemOrFailure()
                .transformToUni((ignored, failure) -> {
                    if (failure == null) {
                        return Deliveries.done(message);
                    }
                    if (failure instanceof FalseNotification) {
                        return refuse(message, deliveryId, failure);
                    }
                    int receives = Deliveries.receiveCount(message);
                    if (receives >= maxDeliveries) {
                        LOG.errorf(
                                "Upload notification %s failed %d times, its videos end in ERROR (or, where no"
                                        + " delivery claimed one, it goes to the dead-letter queue): %s",
                                deliveryId, receives, failure.toString());
                        return Multi.createFrom()
                                .iterable(keys)
                                .onItem()
                                .transformToUniAndConcatenate(
                                        key -> ingest.giveUp(key, deliveryId, "failed " + receives + " times in a row"))
                                .collect()
                                .last()
                                .flatMap(done -> Deliveries.done(message))
                                .onFailure()
                                .recoverWithUni(e -> Deliveries.retryLater(message, e, retryDelay));
                    }
                    LOG.warnf(
                            "Upload notification %s failed (receive %d), retrying in %d s: %s",
                            deliveryId, receives, retryDelay.toSeconds(), failure.toString());
                    return Deliveries.retryLater(message, failure, retryDelay);
                });
    }
}
