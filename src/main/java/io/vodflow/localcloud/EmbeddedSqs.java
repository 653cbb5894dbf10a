package io.vodflow.localcloud;

import java.util.Map;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** SQS for dev mode and tests: ElasticMQ in-process. */
final class EmbeddedSqs implements AutoCloseable {

    private final SQSRestServer server;

    private EmbeddedSqs(SQSRestServer server) {
        this.server = server;
    }

    static EmbeddedSqs start(String host, int port, String region) {
        try {
            SQSRestServer server = SQSRestServerBuilder.withInterface(host)
                    .withPort(port)
                    .withServerAddress(new NodeAddress("http", host, port, ""))
                    .withAWSRegion(region)
                    .start();
            server.waitUntilStarted();
            return new EmbeddedSqs(server);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "The embedded SQS could not listen on " + host + ":" + port
                            + " (is the port free? set vodflow.localcloud.sqs-port to change it)",
                    e);
        }
    }

    /**
     * Creates {@code name} and its dead-letter queue {@code name-dlq}; a message received
     * {@code maxReceiveCount} times without being deleted moves to the dead-letter queue.
     *
     * @return the URL of the queue
     */
    static String createQueueWithDeadLetterQueue(SqsClient sqs, String name, int maxReceiveCount) {
        String dlqUrl =
                sqs.createQueue(request -> request.queueName(name + "-dlq")).queueUrl();
        String dlqArn = sqs.getQueueAttributes(
                        request -> request.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes()
                .get(QueueAttributeName.QUEUE_ARN);
        String redrivePolicy =
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}";
        return sqs.createQueue(request ->
                        request.queueName(name).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY, redrivePolicy)))
                .queueUrl();
    }

    @Override
    public void close() {
        server.stopAndWait();
    }
}
