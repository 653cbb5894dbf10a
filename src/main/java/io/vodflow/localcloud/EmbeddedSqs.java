package io.vodflow.localcloud;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.elasticmq.server.ElasticMQServer;
import org.elasticmq.server.config.ElasticMQServerConfig;
import scala.Function0;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * SQS for dev mode and tests: ElasticMQ in-process. Each queue comes with its dead-letter queue
 * {@code <name>-dlq}: a message received {@code maxReceiveCount} times without being deleted moves
 * there. With a data directory, queues and their messages are kept in an H2 database there, so that
 * stopping dev mode, even with SIGKILL, loses no message, as the embedded S3 and DynamoDB lose no
 * object or item.
 */
final class EmbeddedSqs implements AutoCloseable {

    private static final Duration RESTORE_DEADLINE = Duration.ofSeconds(30);

    private final Function0<?> shutdown;

    private EmbeddedSqs(Function0<?> shutdown) {
        this.shutdown = shutdown;
    }

    /**
     * Starts ElasticMQ with {@code queues} and their dead-letter queues, and returns once every one
     * exists, restored with its messages when kept in {@code dataDir}.
     */
    static EmbeddedSqs start(
            String host,
            int port,
            String region,
            Optional<Path> dataDir,
            List<String> queues,
            int maxReceiveCount,
            SqsClient client) {
        Function0<?> shutdown;
        try {
            shutdown = new ElasticMQServer(
                            new ElasticMQServerConfig(config(host, port, region, dataDir, queues, maxReceiveCount)))
                    .start();
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "The embedded SQS could not listen on " + host + ":" + port
                            + " (is the port free? set vodflow.localcloud.sqs-port to change it)",
                    e);
        }
        EmbeddedSqs sqs = new EmbeddedSqs(shutdown);
        try {
            awaitQueues(client, queues);
        } catch (RuntimeException e) {
            sqs.close();
            throw e;
        }
        return sqs;
    }

    private static Config config(
            String host, int port, String region, Optional<Path> dataDir, List<String> queues, int maxReceiveCount) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("node-address.protocol", "http");
        settings.put("node-address.host", host);
        settings.put("node-address.port", port);
        settings.put("node-address.context-path", "");
        settings.put("rest-sqs.enabled", true);
        settings.put("rest-sqs.bind-hostname", host);
        settings.put("rest-sqs.bind-port", port);
        settings.put("aws.region", region);
        settings.put("messages-storage.enabled", dataDir.isPresent());
        dataDir.ifPresent(dir -> settings.put(
                "messages-storage.uri",
                "jdbc:h2:" + dir.resolve("elasticmq").toAbsolutePath()
                        // Every message is on disk once SQS answered: nothing lost to a SIGKILL.
                        + ";WRITE_DELAY=0"));
        Config config = ConfigFactory.parseMap(settings);
        for (String queue : queues) {
            String dlq = queue + "-dlq";
            config = config.withValue("queues.\"" + dlq + "\"", ConfigValueFactory.fromMap(Map.of()))
                    .withValue(
                            "queues.\"" + queue + "\".deadLettersQueue",
                            ConfigValueFactory.fromMap(Map.of("name", dlq, "maxReceiveCount", maxReceiveCount)));
        }
        return config.withFallback(ConfigFactory.defaultReference(EmbeddedSqs.class.getClassLoader()))
                .resolve();
    }

    /**
     * ElasticMQ creates (or restores) its queues after it started listening; restored messages follow
     * their queue within moments.
     */
    private static void awaitQueues(SqsClient sqs, List<String> queues) {
        long deadline = System.nanoTime() + RESTORE_DEADLINE.toNanos();
        for (String queue : queues) {
            while (true) {
                try {
                    sqs.getQueueUrl(request -> request.queueName(queue));
                    break;
                } catch (QueueDoesNotExistException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                "The embedded SQS did not create queue " + queue + " within " + RESTORE_DEADLINE);
                    }
                    pause();
                }
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while the embedded SQS started", e);
        }
    }

    @Override
    public void close() {
        shutdown.apply();
    }
}
