package io.vodflow.localcloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The embedded SQS of dev mode keeps its queues and messages in the data directory: what was queued
 * before a stop is there after the next start, as with the embedded S3 and DynamoDB.
 */
class EmbeddedSqsTest {

    private static final String QUEUE = "kept-jobs";

    @TempDir
    Path data;

    @Test
    void messagesQueuedBeforeAStopAreThereAfterTheNextStart() throws IOException {
        int port = freePort();
        try (SqsClient sqs = client(port)) {
            String url;
            try (EmbeddedSqs first = start(port, sqs)) {
                url = sqs.getQueueUrl(get -> get.queueName(QUEUE)).queueUrl();
                sqs.sendMessage(send -> send.queueUrl(url).messageBody("queued before the stop"));
                sqs.sendMessage(send -> send.queueUrl(url).messageBody("taken before the stop"));
                List<Message> taken = sqs.receiveMessage(receive ->
                                receive.queueUrl(url).maxNumberOfMessages(1).waitTimeSeconds(1))
                        .messages();
                sqs.deleteMessage(delete ->
                        delete.queueUrl(url).receiptHandle(taken.get(0).receiptHandle()));
            }

            try (EmbeddedSqs second = start(port, sqs)) {
                // Restored messages appear just after their queue; a long poll already waiting misses them.
                List<Message> kept = await().atMost(Duration.ofSeconds(10))
                        .until(
                                () -> sqs.receiveMessage(
                                                receive -> receive.queueUrl(url).maxNumberOfMessages(10))
                                        .messages(),
                                messages -> !messages.isEmpty());
                assertThat(kept).hasSize(1);
                assertThat(List.of("queued before the stop", "taken before the stop"))
                        .contains(kept.get(0).body());
                assertThat(sqs.getQueueAttributes(attributes ->
                                        attributes.queueUrl(url).attributeNames(QueueAttributeName.REDRIVE_POLICY))
                                .attributes()
                                .get(QueueAttributeName.REDRIVE_POLICY))
                        .as("the dead-letter queue comes back with it")
                        .contains(QUEUE + "-dlq")
                        .contains("\"maxReceiveCount\":5");
            }
        }
    }

    private EmbeddedSqs start(int port, SqsClient sqs) {
        return EmbeddedSqs.start("127.0.0.1", port, "us-east-1", Optional.of(data), List.of(QUEUE), 5, sqs);
    }

    private static SqsClient client(int port) {
        return SqsClient.builder()
                .httpClient(AwsCrtHttpClient.create())
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")))
                .build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
