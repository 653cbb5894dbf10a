package io.vodflow.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The queues as a test uses them: send a message, find it in the dead-letter queue, wait until all is
 * handled.
 */
public final class Queues {

    private final SqsAsyncClient sqs;

    public Queues(SqsAsyncClient sqs) {
        this.sqs = sqs;
    }

    public void send(String queue, String body) {
        String url = url(queue);
        sqs.sendMessage(message -> message.queueUrl(url).messageBody(body)).join();
    }

    /** Waits until {@code body} arrives in the dead-letter queue of {@code queue}, and takes it out. */
    public void awaitDeadLetter(String queue, String body, Duration timeout) {
        String url = url(queue + "-dlq");
        List<String> deadLetters = new ArrayList<>();
        await().atMost(timeout).untilAsserted(() -> {
            sqs.receiveMessage(receive ->
                            receive.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .join()
                    .messages()
                    .forEach(message -> {
                        deadLetters.add(message.body());
                        sqs.deleteMessage(delete -> delete.queueUrl(url).receiptHandle(message.receiptHandle()))
                                .join();
                    });
            assertThat(deadLetters).contains(body);
        });
    }

    /** How many messages the dead-letter queue of {@code queue} holds, received or not. */
    public long deadLetterCount(String queue) {
        String url = url(queue + "-dlq");
        return sqs
                .getQueueAttributes(request -> request.queueUrl(url)
                        .attributeNames(
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .join()
                .attributes()
                .values()
                .stream()
                .mapToLong(Long::parseLong)
                .sum();
    }

    /** Waits until every message sent to {@code queue} so far is handled: none waiting, delayed or in flight. */
    public void awaitDrained(String queue, Duration timeout) {
        String url = url(queue);
        await().atMost(timeout).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(request -> request.queueUrl(url)
                            .attributeNames(
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                    .join()
                    .attributes();
            assertThat(attributes.values()).allMatch("0"::equals);
        });
    }

    private String url(String queue) {
        return sqs.getQueueUrl(request -> request.queueName(queue)).join().queueUrl();
    }
}
