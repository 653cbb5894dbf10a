package io.vodflow.transcode.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vodflow.config.VodflowConfig;
import io.vodflow.transcode.JobTemplate;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * A worker of the local engine. It takes jobs from the shared transcode-jobs queue only when it has a
 * free slot ({@code vodflow.local.concurrency}), keeps each job's message invisible while the job
 * runs, and deletes it when the job ended. A job whose worker died becomes visible again and is taken
 * up by any worker; after {@code vodflow.local.max-attempts} runs it ends in ERROR, so no job stays
 * PROGRESSING forever. A worker that stops in an orderly way hands its job back without using up an
 * attempt.
 *
 * <p>The queue is polled here rather than through the SQS connector, because the connector receives
 * ahead of processing: a job would sit invisible in one worker's buffer while another worker idles.
 */
@ApplicationScoped
class LocalWorker {

    private static final Logger LOG = Logger.getLogger(LocalWorker.class);
    private static final int POLL_SECONDS = 10;
    private static final int RETRY_DELAY_SECONDS = 10;

    private final SqsAsyncClient sqs;
    private final ObjectMapper json;
    private final LocalJobRunner runner;
    private final JobEvents events;
    private final VideoRepository videos;
    private final JobTemplate template;
    private final VodflowConfig config;
    private final Map<String, JobHandle> running = new ConcurrentHashMap<>();

    private volatile boolean polling;
    private String queueUrl;
    private Semaphore slots;
    private ExecutorService jobs;
    private ScheduledExecutorService heartbeats;
    private Thread poller;

    LocalWorker(
            SqsAsyncClient sqs,
            ObjectMapper json,
            LocalJobRunner runner,
            JobEvents events,
            VideoRepository videos,
            JobTemplate template,
            VodflowConfig config) {
        this.sqs = sqs;
        this.json = json;
        this.runner = runner;
        this.events = events;
        this.videos = videos;
        this.template = template;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        if (config.transcoder().backend() != VodflowConfig.Transcoder.Backend.LOCAL
                || !config.local().workerEnabled()) {
            return;
        }
        Leftovers.clean(runner.workDir());
        try {
            JobPlan.of(template.settings());
        } catch (JobPlan.UnsupportedSettingsException | IllegalArgumentException e) {
            LOG.warnf("The job template will fail every job of the local engine: %s", e.getMessage());
        }
        String queue = config.queues().transcodeJobs().orElseThrow();
        queueUrl = sqs.getQueueUrl(request -> request.queueName(queue)).join().queueUrl();
        int concurrency = config.local().concurrency();
        slots = new Semaphore(concurrency);
        jobs = Executors.newFixedThreadPool(concurrency, named("vodflow-transcode"));
        heartbeats = Executors.newSingleThreadScheduledExecutor(named("vodflow-transcode-heartbeat"));
        polling = true;
        poller = named("vodflow-transcode-poller").newThread(this::poll);
        poller.start();
        LOG.infof("Local transcoding worker running up to %d job(s) from %s", concurrency, queue);
    }

    /**
     * A stopping service first waits {@code quarkus.shutdown.delay} with everything still up: the
     * moment to stop and hand back running jobs, while SQS and the event channel still work.
     */
    void stopping(@Observes ShutdownDelayInitiatedEvent event) {
        stop(null);
    }

    synchronized void stop(@Observes ShutdownEvent event) {
        if (!polling) {
            return;
        }
        polling = false;
        poller.interrupt();
        // Running jobs stop without an outcome and are handed back to the queue.
        running.values().forEach(JobHandle::stop);
        jobs.shutdown();
        try {
            jobs.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        heartbeats.shutdownNow();
    }

    /** Cancels a job if it runs on this worker; other workers notice at their next heartbeat. */
    boolean cancel(String jobId) {
        JobHandle handle = running.get(jobId);
        return handle != null && handle.cancel();
    }

    private void poll() {
        Duration backoff = Duration.ofSeconds(1);
        while (polling) {
            int wanted;
            try {
                slots.acquire();
                wanted = 1 + slots.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            try {
                int batch = Math.min(wanted, 10);
                List<Message> messages = sqs.receiveMessage(receive -> receive.queueUrl(queueUrl)
                                .maxNumberOfMessages(batch)
                                .waitTimeSeconds(POLL_SECONDS)
                                .visibilityTimeout(visibilitySeconds())
                                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                        .get()
                        .messages();
                slots.release(wanted - messages.size());
                for (Message message : messages) {
                    jobs.execute(() -> {
                        try {
                            handle(message);
                        } finally {
                            slots.release();
                        }
                    });
                }
                backoff = Duration.ofSeconds(1);
            } catch (InterruptedException e) {
                slots.release(wanted);
                return;
            } catch (ExecutionException | RuntimeException e) {
                slots.release(wanted);
                if (!polling) {
                    return;
                }
                LOG.warnf("Cannot receive jobs (%s); trying again in %d s", e.getMessage(), backoff.toSeconds());
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = Duration.ofMillis(Math.min(30_000, backoff.toMillis() * 2));
            }
        }
    }

    private void handle(Message message) {
        int receives = Integer.parseInt(
                message.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1"));
        LocalJob job;
        try {
            job = json.readValue(message.body(), LocalJob.class);
        } catch (Exception e) {
            if (receives == 1) {
                LOG.warnf(
                        "Message %s on the job queue is not a job (%s); it goes to the dead-letter queue",
                        message.messageId(), e.getMessage());
            }
            changeVisibility(message, 0);
            return;
        }
        Optional<String> violation = JobScope.violation(job, config);
        if (violation.isPresent()) {
            if (receives == 1) {
                LOG.warnf(
                        "Job %s (message %s) is refused and goes to the dead-letter queue: %s",
                        job.jobId(), message.messageId(), violation.get());
            }
            changeVisibility(message, 0);
            return;
        }
        if (verdict(job) != Verdict.WANTED) {
            LOG.infof("Skipping job %s: video %s no longer waits for it", job.jobId(), job.videoId());
            delete(message);
            return;
        }
        if (receives > config.local().maxAttempts()) {
            events.error(
                    job,
                    LocalJobRunner.GAVE_UP,
                    "The job was started " + (receives - 1) + " times and stopped before its end every time");
            delete(message);
            return;
        }
        awaitSubmitted(job);
        JobHandle handle = new JobHandle();
        running.put(job.jobId(), handle);
        long period = Math.max(1000, config.local().visibilityTimeout().toMillis() / 3);
        ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(
                () -> heartbeat(message, job, handle), period, period, TimeUnit.MILLISECONDS);
        try {
            LOG.infof("Running job %s of video %s (run %d)", job.jobId(), job.videoId(), receives);
            LocalJobRunner.Outcome outcome = runner.run(job, receives - 1, handle);
            if (outcome == LocalJobRunner.Outcome.ENDED) {
                delete(message);
            } else if (handle.isStopping()) {
                handBack(message, job);
            } else {
                changeVisibility(message, RETRY_DELAY_SECONDS);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "Job %s failed unexpectedly; it will be taken up again", job.jobId());
            changeVisibility(message, RETRY_DELAY_SECONDS);
        } finally {
            heartbeat.cancel(false);
            running.remove(job.jobId());
        }
    }

    /** Keeps the message hidden, stops a stalled ffmpeg, and stops a job nobody waits for anymore. */
    private void heartbeat(Message message, LocalJob job, JobHandle handle) {
        try {
            changeVisibility(message, visibilitySeconds());
            handle.checkStall(config.local().stallTimeout());
            switch (verdict(job)) {
                case GONE -> {
                    if (handle.cancel()) {
                        LOG.infof("Canceled job %s: video %s was deleted or canceled", job.jobId(), job.videoId());
                    }
                }
                case SETTLED -> {
                    if (handle.abandon()) {
                        LOG.infof("Stopped job %s: another run already ended video %s", job.jobId(), job.videoId());
                    }
                }
                case WANTED -> {
                    // Keep going.
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("Heartbeat of job %s failed: %s", job.jobId(), e.getMessage());
        }
    }

    /** What the video says of a job. */
    private enum Verdict {
        /** The video waits for this job. */
        WANTED,
        /** The video was deleted or canceled: nobody wants the outputs. */
        GONE,
        /** Another run ended this attempt, or a newer attempt replaced it: the outputs are theirs. */
        SETTLED
    }

    private Verdict verdict(LocalJob job) {
        Video video = videos.find(job.videoId()).await().atMost(Duration.ofSeconds(10));
        if (video == null || (video.attempt() == job.attempt() && video.status() == VideoStatus.CANCELED)) {
            return Verdict.GONE;
        }
        return video.attempt() != job.attempt() || video.status().isTerminal() ? Verdict.SETTLED : Verdict.WANTED;
    }

    /**
     * Gives ingest a moment to record SUBMITTED from the submission's answer before the first event
     * moves the video on, so that subscribers see SUBMITTED as they do with MediaConvert, whose
     * queueing takes longer than this.
     */
    private void awaitSubmitted(LocalJob job) {
        for (int i = 0; i < 20; i++) {
            Video video = videos.find(job.videoId()).await().atMost(Duration.ofSeconds(10));
            if (video == null || video.status() != VideoStatus.UPLOADED) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private int visibilitySeconds() {
        return (int) config.local().visibilityTimeout().toSeconds();
    }

    /**
     * Gives the job of a worker that is stopping (a rollout, a scale-in) to the next worker without
     * using up one of its attempts: a fresh copy of the message starts with no receives, then the
     * original goes. Only runs that fail, or whose worker dies, count.
     */
    private void handBack(Message message, LocalJob job) {
        sqs.sendMessage(send -> send.queueUrl(queueUrl).messageBody(message.body()))
                .join();
        delete(message);
        LOG.infof("Handed job %s of video %s back to the queue: this worker is stopping", job.jobId(), job.videoId());
    }

    private void delete(Message message) {
        sqs.deleteMessage(delete -> delete.queueUrl(queueUrl).receiptHandle(message.receiptHandle()))
                .join();
    }

    private void changeVisibility(Message message, int seconds) {
        sqs.changeMessageVisibility(change -> change.queueUrl(queueUrl)
                        .receiptHandle(message.receiptHandle())
                        .visibilityTimeout(seconds))
                .join();
    }

    private static ThreadFactory named(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
