package io.vodflow.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.aws.sqs.SqsIncomingMetadata;
import io.smallrye.reactive.messaging.aws.sqs.fault.VisibilityTimeoutMetadata;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * How consumers end a delivery from SQS (channels use {@code failure-strategy=visibility}). Done: the
 * message is deleted. Retry later: it stays in the queue, hidden for a while. Rejected: it comes back
 * at once, and after the queue's maximum receives SQS moves it to the dead-letter queue.
 */
public final class Deliveries {

    private static final Logger LOG = Logger.getLogger(Deliveries.class);

    private Deliveries() {}

    /** The SQS message behind a Reactive Messaging message. */
    public static software.amazon.awssdk.services.sqs.model.Message sqs(Message<?> message) {
        return message.getMetadata(SqsIncomingMetadata.class)
                .map(SqsIncomingMetadata::getMessage)
                .orElseThrow(() -> new IllegalStateException("not a message from SQS"));
    }

    /** Whether this is the message's first delivery (the receive-count customizer asks SQS). */
    public static boolean firstReceive(Message<?> message) {
        return receiveCount(message) <= 1;
    }

    public static int receiveCount(Message<?> message) {
        return receiveCount(sqs(message));
    }

    /** How often SQS delivered this message, counting this delivery. */
    public static int receiveCount(software.amazon.awssdk.services.sqs.model.Message message) {
        String count = message.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
        return count == null ? 1 : Integer.parseInt(count);
    }

    /** When the message was sent to its queue, or null if SQS did not say. */
    public static Instant sentAt(Message<?> message) {
        String millis = sqs(message).attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP);
        return millis == null ? null : Instant.ofEpochMilli(Long.parseLong(millis));
    }

    public static Uni<Void> done(Message<?> message) {
        return settled(message, Uni.createFrom().completionStage(message::ack));
    }

    public static Uni<Void> retryLater(Message<?> message, Throwable reason, Duration delay) {
        return nack(message, reason, (int) delay.toSeconds());
    }

    public static Uni<Void> reject(Message<?> message, Throwable reason) {
        return nack(message, reason, 0);
    }

    private static Uni<Void> nack(Message<?> message, Throwable reason, int visibilitySeconds) {
        return settled(
                message,
                Uni.createFrom()
                        .completionStage(() ->
                                message.nack(reason, Metadata.of(new VisibilityTimeoutMetadata(visibilitySeconds)))));
    }

    /**
     * A failed delete or visibility change must not fail the consumer's stream: Reactive Messaging
     * would stop the channel for good. Failing it only means SQS delivers the message once more,
     * and every handler here is idempotent.
     */
    private static Uni<Void> settled(Message<?> message, Uni<Void> settlement) {
        return settlement
                .onFailure()
                .invoke(e -> LOG.warnf(
                        "Could not settle message %s with SQS (%s); it will be delivered again",
                        sqs(message).messageId(), e.getMessage()))
                .onFailure()
                .recoverWithNull();
    }
}
