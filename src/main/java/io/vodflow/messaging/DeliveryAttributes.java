package io.vodflow.messaging;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.aws.sqs.SqsReceiveMessageRequestCustomizer;
import jakarta.enterprise.context.ApplicationScoped;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * Asks SQS for two attributes of every message: how often it was received, so that consumers log a
 * bad message once, on its first delivery, rather than on every retry; and when it was sent, so that
 * metrics show how far behind each consumer is.
 */
@ApplicationScoped
@Identifier("delivery-attributes")
public class DeliveryAttributes implements SqsReceiveMessageRequestCustomizer {

    @Override
    public void customize(ReceiveMessageRequest.Builder builder) {
        builder.messageSystemAttributeNames(
                MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, MessageSystemAttributeName.SENT_TIMESTAMP);
    }
}
