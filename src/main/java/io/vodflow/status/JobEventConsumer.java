package io.vodflow.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.messaging.Deliveries;
import io.vodflow.metrics.PipelineMetrics;
import io.vodflow.support.VideoSpans;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes "MediaConvert Job State Change" events from the job-events queue, whichever engine sent
 * them. A bad message is rejected and reaches the dead-letter queue; a passing fault retries later.
 */
@ApplicationScoped
public class JobEventConsumer {

    private static final Logger LOG = Logger.getLogger(JobEventConsumer.class);

    private final JobEventApplier status;
    private final PipelineMetrics metrics;
    private final ObjectMapper json;
    private final Duration retryDelay;
    private final String queue;
    private final VideoSpans spans;

    JobEventConsumer(
            JobEventApplier status,
            PipelineMetrics metrics,
            ObjectMapper json,
            VodflowConfig config,
            VideoSpans spans) {
        this.status = status;
        this.metrics = metrics;
        this.json = json;
        this.retryDelay = config.status().retryDelay();
        this.queue = config.queues().jobEvents();
        this.spans = spans;
    }

    @Incoming("job-events")
    public Uni<Void> consume(Message<String> message) {
        JobEvent event;
        try {
            event = JobEvent.parse(json.readTree(message.getPayload()));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            if (Deliveries.firstReceive(message)) {
                LOG.warnf(
                        "Message %s on the job-events queue is not a job event (%s); it goes to the dead-letter queue",
                        Deliveries.sqs(message).messageId(), e.getMessage());
            }
            return Deliveries.reject(message, e);
        }
        metrics.lag(queue, Deliveries.sentAt(message));
        return spans.around("job " + event.status(), event.videoId(), event.trace(), () -> status.apply(event))
                .onItemOrFailure()
                .transformToUni((ignored, failure) -> {
                    if (failure == null) {
                        return Deliveries.done(message);
                    }
                    if (failure instanceof JobEventApplier.OutOfScopeException) {
                        if (Deliveries.firstReceive(message)) {
                            LOG.warnf(
                                    "Job event %s of job %s is refused and goes to the dead-letter queue: %s",
                                    event.status(), event.jobId(), failure.getMessage());
                        }
                        return Deliveries.reject(message, failure);
                    }
                    LOG.warnf(
                            "Job event %s of job %s failed, retrying in %d s: %s",
                            event.status(), event.jobId(), retryDelay.toSeconds(), failure.toString());
                    return Deliveries.retryLater(message, failure, retryDelay);
                });
    }
}
