package io.vodflow.messaging;

import io.vodflow.support.VideoSpans;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * One SQS queue, by name: the one way vodflow's own code (not a Reactive Messaging channel) sends to,
 * receives from and settles messages of a queue. Its URL is looked up on first use and kept once
 * known; a failed lookup is tried again next time. Every call is bounded by the SQS client's
 * api-call timeout.
 */
public final class SqsQueue {

    private final SqsAsyncClient sqs;
    private final String name;
    private volatile String url;

    public SqsQueue(SqsAsyncClient sqs, String name) {
        this.sqs = sqs;
        this.name = name;
    }

    public String name() {
        return name;
    }

    /**
     * @param traceparent the trace the message continues, sent as the message attribute of that name;
     *     null when it is not traced
     */
    public CompletableFuture<Void> send(String body, String traceparent) {
        Map<String, MessageAttributeValue> attributes = traceparent == null
                ? Map.of()
                : Map.of(
                        VideoSpans.TRACEPARENT,
                        MessageAttributeValue.builder()
                                .dataType("String")
                                .stringValue(traceparent)
                                .build());
        return url().thenCompose(queue -> sqs.sendMessage(
                        send -> send.queueUrl(queue).messageBody(body).messageAttributes(attributes)))
                .thenApply(sent -> null);
    }

    /** The trace a received message continues, or null. */
    public static String traceparent(Message message) {
        MessageAttributeValue value = message.messageAttributes().get(VideoSpans.TRACEPARENT);
        return value == null ? null : value.stringValue();
    }

    /**
     * Long-polls for up to {@code max} messages (at most ten), with their receive counts and traces.
     *
     * @param visibilitySeconds how long received messages stay hidden from other receivers
     */
    public CompletableFuture<List<Message>> receive(int max, int waitSeconds, int visibilitySeconds) {
        return url().thenCompose(queue -> sqs.receiveMessage(receive -> receive.queueUrl(queue)
                        .maxNumberOfMessages(Math.min(10, max))
                        .waitTimeSeconds(waitSeconds)
                        .visibilityTimeout(visibilitySeconds)
                        .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)
                        .messageAttributeNames(VideoSpans.TRACEPARENT)))
                .thenApply(received -> received.messages());
    }

    public CompletableFuture<Void> delete(Message message) {
        return url().thenCompose(queue ->
                        sqs.deleteMessage(delete -> delete.queueUrl(queue).receiptHandle(message.receiptHandle())))
                .thenApply(deleted -> null);
    }

    /** Hides a received message for {@code seconds} more; 0 makes it visible at once. */
    public CompletableFuture<Void> hide(Message message, int seconds) {
        return url().thenCompose(queue -> sqs.changeMessageVisibility(change -> change.queueUrl(queue)
                        .receiptHandle(message.receiptHandle())
                        .visibilityTimeout(seconds)))
                .thenApply(changed -> null);
    }

    private CompletableFuture<String> url() {
        String known = url;
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        return sqs.getQueueUrl(request -> request.queueName(name)).thenApply(response -> url = response.queueUrl());
    }
}
