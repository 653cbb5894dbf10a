package io.vodflow.messaging;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.aws.sqs.SqsReceiveMessageRequestCustomizer;
import jakarta.enterprise.context.ApplicationScoped;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * Asks SQS how often each message was received, so that consumers log a bad message once, on its
 * first delivery, instead of on every retry.
 */
@ApplicationScoped
@Identifier("receive-count")
public class ReceiveCountCustomizer implements SqsReceiveMessageRequestCustomizer {

    @Override
    public void customize(ReceiveMessageRequest.Builder builder) {
        builder.messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
    }
}
