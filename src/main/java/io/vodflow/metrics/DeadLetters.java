package io.vodflow.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * How many messages wait in each queue's dead-letter queue ({@code vodflow_dead_letters}): every one
 * is an upload, a job or a job event that vodflow gave up on and an operator should look at (the
 * README says how to move them back). Each queue's dead-letter queue is the one its redrive policy
 * names, read again at every refresh; the SQS calls run off the event loop's thread, asynchronously.
 */
@ApplicationScoped
public class DeadLetters {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    private static final Pattern TARGET_ARN = Pattern.compile("\"deadLetterTargetArn\"\\s*:\\s*\"([^\"]+)\"");

    private final SqsAsyncClient sqs;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private final VodflowConfig config;
    private final Map<String, AtomicLong> depths = new ConcurrentHashMap<>();
    private final List<Gauge> gauges = new CopyOnWriteArrayList<>();
    private long timer = -1;

    DeadLetters(SqsAsyncClient sqs, Vertx vertx, MeterRegistry registry, VodflowConfig config) {
        this.sqs = sqs;
        this.vertx = vertx;
        this.registry = registry;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        Duration interval = config.metrics().deadLetterInterval();
        timer = vertx.setPeriodic(0, interval.toMillis(), ignored -> refresh());
    }

    /**
     * Also removes the gauges: the registry can outlive this application (tests restart it in one
     * JVM), and a gauge left behind would keep reporting the old application's last counts.
     */
    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        gauges.forEach(registry::remove);
    }

    private void refresh() {
        for (String queue : config.queues().all()) {
            depth(queue)
                    .subscribe()
                    .with(
                            depth -> gauge(queue).set(depth),
                            failure -> LOG.debugf(
                                    "Cannot read the dead-letter queue of %s: %s", queue, failure.getMessage()));
        }
    }

    /** Messages in the dead-letter queue of {@code queue}; 0 when it has none. */
    private Uni<Long> depth(String queue) {
        return attribute(url(queue), QueueAttributeName.REDRIVE_POLICY).flatMap(policy -> {
            Matcher target = TARGET_ARN.matcher(policy == null ? "" : policy);
            if (!target.find()) {
                return Uni.createFrom().item(0L);
            }
            String arn = target.group(1);
            return url(arn.substring(arn.lastIndexOf(':') + 1))
                    .flatMap(dlq ->
                            attribute(Uni.createFrom().item(dlq), QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    .map(Long::parseLong);
        });
    }

    private Uni<String> url(String queue) {
        return Uni.createFrom()
                .completionStage(() -> sqs.getQueueUrl(request -> request.queueName(queue)))
                .map(response -> response.queueUrl());
    }

    private Uni<String> attribute(Uni<String> queueUrl, QueueAttributeName name) {
        return queueUrl.flatMap(url -> Uni.createFrom()
                .completionStage(() ->
                        sqs.getQueueAttributes(request -> request.queueUrl(url).attributeNames(name)))
                .map(response -> response.attributes().get(name)));
    }

    private AtomicLong gauge(String queue) {
        return depths.computeIfAbsent(queue, name -> {
            AtomicLong depth = new AtomicLong();
            gauges.add(Gauge.builder("vodflow.dead.letters", depth, AtomicLong::get)
                    .description("Messages waiting in a queue's dead-letter queue")
                    .tag("queue", name)
                    .strongReference(true)
                    .register(registry));
            return depth;
        });
    }
}
