package io.vodflow.transcode.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.messaging.SqsQueue;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The local engine's shared job queue ({@code vodflow.queues.transcode-jobs}): submitting puts a job
 * on it, workers take jobs off it and settle them. Settling calls wait on a worker thread, bounded by
 * the SQS client's call timeout.
 */
@ApplicationScoped
class JobQueue {

    private static final int POLL_SECONDS = 10;

    private final SqsQueue queue;
    private final ObjectMapper json;

    JobQueue(SqsAsyncClient sqs, ObjectMapper json, VodflowConfig config) {
        this.queue = new SqsQueue(sqs, config.queues().transcodeJobs().orElse(""));
        this.json = json;
    }

    String name() {
        return queue.name();
    }

    Uni<Void> submit(LocalJob job) {
        return Uni.createFrom().completionStage(() -> queue.send(toJson(job), job.trace()));
    }

    /** Waits up to ten seconds for at most {@code max} jobs, hidden from other workers while they run. */
    List<Message> receive(int max, int visibilitySeconds) throws InterruptedException, ExecutionException {
        return queue.receive(max, POLL_SECONDS, visibilitySeconds).get();
    }

    /** @throws JsonProcessingException if the message is not a job */
    LocalJob read(Message message) throws JsonProcessingException {
        // Leniently: a job queued by a newer version, during a rollout, may carry more than this one reads.
        return json.readerFor(LocalJob.class)
                .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .readValue(message.body());
    }

    /** The job ended, or is not to run: it leaves the queue. */
    void done(Message message) {
        queue.delete(message).join();
    }

    /** Keeps the job hidden for {@code seconds}: then another run may take it up. */
    void hide(Message message, int seconds) {
        queue.hide(message, seconds).join();
    }

    /** Refuses a message at once: after the queue's maximum receives, SQS dead-letters it. */
    void reject(Message message) {
        hide(message, 0);
    }

    /**
     * Gives the job of a worker that is stopping (a rollout, a scale-in) to the next worker: a fresh
     * copy of the message starts with no receives, then the original goes, so that rollouts never
     * bring the job near the queue's dead-letter policy. (Attempts are counted in the ledger.)
     */
    void handBack(Message message) {
        queue.send(message.body(), SqsQueue.traceparent(message)).join();
        done(message);
    }

    private String toJson(LocalJob job) {
        try {
            return json.writeValueAsString(job);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
