package io.vodflow.transcode.local;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vodflow.config.VodflowConfig;
import io.vodflow.messaging.Deliveries;
import io.vodflow.messaging.SqsQueue;
import io.vodflow.support.VideoLog;
import io.vodflow.support.VideoSpans;
import io.vodflow.transcode.JobTemplate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
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
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A worker of the local engine. It takes jobs from the shared job queue only when it has a free slot
 * ({@code vodflow.local.concurrency}), keeps each job's message invisible while the job runs, and
 * deletes it when the job ended. A job whose worker died becomes visible again and is taken up by any
 * worker; after {@code vodflow.local.max-attempts} failed runs it ends in ERROR, so no job stays
 * PROGRESSING forever. The failures are counted in the {@link JobLedger}: a worker that stops in an
 * orderly way hands its job back without using up an attempt.
 *
 * <p>The queue is polled here rather than through the SQS connector, because the connector receives
 * ahead of processing: a job would sit invisible in one worker's buffer while another worker idles.
 */
@ApplicationScoped
class LocalWorker {

    private static final Logger LOG = Logger.getLogger(LocalWorker.class);
    private static final int RETRY_DELAY_SECONDS = 10;

    private final JobQueue queue;
    private final JobLedger ledger;
    private final LocalJobRunner runner;
    private final JobEvents events;
    private final JobTemplate template;
    private final VodflowConfig config;
    private final VideoSpans spans;
    private final Map<String, JobHandle> running = new ConcurrentHashMap<>();
    /** Names this worker; each of its runs holds its job's lease under a name of its own beside it. */
    private final String workerId = "worker-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID();

    private volatile boolean polling;
    private Semaphore slots;
    private ExecutorService jobs;
    private ScheduledExecutorService heartbeats;
    private Thread poller;

    LocalWorker(
            JobQueue queue,
            JobLedger ledger,
            LocalJobRunner runner,
            JobEvents events,
            JobTemplate template,
            VodflowConfig config,
            VideoSpans spans) {
        this.queue = queue;
        this.ledger = ledger;
        this.runner = runner;
        this.events = events;
        this.template = template;
        this.config = config;
        this.spans = spans;
    }

    void start(@Observes StartupEvent event) {
        if (!VodflowConfig.runsLocalJobs(config)) {
            return;
        }
        WorkDirectory.cleanLeftovers(runner.workDir());
        try {
            JobPlan.of(template.settings());
        } catch (JobPlan.UnsupportedSettingsException | IllegalArgumentException e) {
            LOG.warnf("The job template will fail every job of the local engine: %s", e.getMessage());
        }
        int concurrency = config.local().concurrency();
        slots = new Semaphore(concurrency);
        jobs = Executors.newFixedThreadPool(concurrency, named("vodflow-transcode"));
        // A thread per job: a heartbeat waiting on a slow table or queue (up to their deadlines) must
        // not hold back another job's past its lease.
        heartbeats = Executors.newScheduledThreadPool(concurrency, named("vodflow-transcode-heartbeat"));
        polling = true;
        poller = named("vodflow-transcode-poller").newThread(this::poll);
        poller.start();
        LOG.infof("Local transcoding worker running up to %d job(s) from %s", concurrency, queue.name());
    }

    /**
     * A stopping service first waits {@code quarkus.shutdown.delay} with everything still up: the
     * moment to stop and hand back running jobs, while SQS still works.
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

    /** Receives as many jobs as there are free slots, and starts each on a slot. */
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
                List<Message> messages = queue.receive(wanted, visibilitySeconds());
                slots.release(wanted - messages.size());
                messages.forEach(message -> jobs.execute(() -> {
                    try {
                        handle(message);
                    } finally {
                        slots.release();
                    }
                }));
                backoff = Duration.ofSeconds(1);
            } catch (InterruptedException e) {
                slots.release(wanted);
                return;
            } catch (ExecutionException | RuntimeException e) {
                slots.release(wanted);
                if (!polling || !pause(backoff, e)) {
                    return;
                }
                backoff = Duration.ofMillis(Math.min(30_000, backoff.toMillis() * 2));
            }
        }
    }

    /** @return false if interrupted */
    private static boolean pause(Duration backoff, Exception cause) {
        LOG.warnf("Cannot receive jobs (%s); trying again in %d s", cause.getMessage(), backoff.toSeconds());
        try {
            Thread.sleep(backoff.toMillis());
            return true;
        } catch (InterruptedException interrupted) {
            return false;
        }
    }

    private void handle(Message message) {
        int receives = Deliveries.receiveCount(message);
        accept(message, receives)
                .ifPresent(run -> spans.during(
                        "transcode", run.job().videoId(), SqsQueue.traceparent(message), () -> run(message, run)));
    }

    /**
     * A job this worker took, the name its run holds the lease under (its holder), when the lease was
     * asked for ({@link System#nanoTime}), and how many of its runs failed before. The name is the
     * run's, not the worker's: a copy of the job's message that reaches this worker while it runs the
     * job must not pass the lease as if it were the same run.
     */
    private record Accepted(LocalJob job, String holder, long leasedAt, int failures) {}

    /** The job to run, or empty when the message was settled without running anything. */
    private Optional<Accepted> accept(Message message, int receives) {
        LocalJob job;
        try {
            job = queue.read(message);
        } catch (Exception e) {
            refuse(message, receives, "is not a job (" + e.getMessage() + ")");
            return Optional.empty();
        }
        Optional<String> violation = JobScope.violation(job, config);
        if (violation.isPresent()) {
            refuse(message, receives, "holds job " + job.jobId() + ", which is refused: " + violation.get());
            return Optional.empty();
        }
        JobLedger.Standing standing = ledger.standing(job.jobId());
        if (standing != JobLedger.Standing.WANTED) {
            skip(message, job, standing);
            return Optional.empty();
        }
        String holder = workerId + "/run-" + UUID.randomUUID();
        long leasedAt = System.nanoTime();
        Optional<JobLedger.Taken> taken =
                ledger.take(job.jobId(), holder, config.local().visibilityTimeout());
        if (taken.isEmpty()) {
            // Another run holds the job (a duplicate message, or a redelivery while it runs): this copy
            // waits, and takes the job up only if that run dies and its lease lapses. It never uses up
            // an attempt: a duplicate that keeps waiting ends in the dead-letter queue.
            LOG.infof("Job %s runs elsewhere; its message waits", job.jobId());
            queue.hide(message, RETRY_DELAY_SECONDS);
            return Optional.empty();
        }
        int failures = taken.get().failures();
        if (failures >= config.local().maxAttempts()) {
            events.error(
                    job,
                    LocalJobRunner.GAVE_UP,
                    "The job was started " + failures + " times and stopped before its end every time");
            queue.done(message);
            return Optional.empty();
        }
        return Optional.of(new Accepted(job, holder, leasedAt, failures));
    }

    /** Settles the message of a job that was canceled or has ended, without running it. */
    private void skip(Message message, LocalJob job, JobLedger.Standing standing) {
        VideoLog.infof(
                LOG,
                job.videoId(),
                "Skipping job %s of video %s: it was canceled or has ended",
                job.jobId(),
                job.videoId());
        if (standing == JobLedger.Standing.ENDED) {
            // The ledger keeps the final event before it is sent: should it have been lost on its way,
            // it reaches the video now rather than after the reconciler's silence. Where it arrived
            // before, it changes nothing.
            ledger.finalEvent(job.jobId()).ifPresent(events::resend);
        }
        queue.done(message);
    }

    /** Sends a message that is no job of this engine to the dead-letter queue, logging it once. */
    private void refuse(Message message, int receives, String why) {
        if (receives == 1) {
            LOG.warnf("Message %s on the job queue %s; it goes to the dead-letter queue", message.messageId(), why);
        }
        queue.reject(message);
    }

    private void run(Message message, Accepted accepted) {
        LocalJob job = accepted.job();
        String holder = accepted.holder();
        int failures = accepted.failures();
        JobHandle handle = new JobHandle();
        running.put(job.jobId(), handle);
        long period = Math.max(1000, config.local().visibilityTimeout().toMillis() / 3);
        Lease lease = new Lease(holder, handle, accepted.leasedAt(), period);
        ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(
                () -> heartbeat(message, job, lease, handle), period, period, TimeUnit.MILLISECONDS);
        try {
            VideoLog.infof(
                    LOG,
                    job.videoId(),
                    "Running job %s of video %s (after %d failed runs)",
                    job.jobId(),
                    job.videoId(),
                    failures);
            settle(message, job, holder, handle, outcome(job, failures, handle));
        } catch (RuntimeException e) {
            // What settling did not do, the queue and the ledger make up for: the message comes back
            // when its visibility ends, and the ledger says then how the job stands.
            LOG.warnf("Job %s: its run could not be settled (%s); the queue brings it back", job.jobId(), e.toString());
        } finally {
            heartbeat.cancel(false);
            running.remove(job.jobId());
        }
    }

    /** How the run went; null when it failed in a way the runner did not foresee. */
    private LocalJobRunner.Outcome outcome(LocalJob job, int failures, JobHandle handle) {
        try {
            return runner.run(job, failures, handle);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Job %s failed unexpectedly; it will be taken up again", job.jobId());
            return null;
        }
    }

    private void settle(
            Message message, LocalJob job, String holder, JobHandle handle, LocalJobRunner.Outcome outcome) {
        if (outcome == LocalJobRunner.Outcome.ENDED) {
            // The final event, sent by the run, recorded the end in the ledger.
            queue.done(message);
        } else if (outcome != null && handle.isStopping()) {
            ledger.release(job.jobId(), holder);
            queue.handBack(message);
            VideoLog.infof(LOG, job.videoId(), "Handed job %s back to the queue: this worker is stopping", job.jobId());
        } else if (outcome != null && handle.isLapsing()) {
            // The lease could not be kept: it is left to lapse, and the message comes back after.
            queue.hide(message, untilLapsed(handle));
        } else {
            ledger.failed(job.jobId(), holder);
            queue.hide(message, RETRY_DELAY_SECONDS);
        }
    }

    /**
     * A run's lease on its job: who holds it, and (in its handle) until when this worker can be sure
     * it does, by {@link System#nanoTime} counted from before the ledger was asked, so never later than
     * the ledger's own time.
     */
    private final class Lease {
        private final String holder;
        private final JobHandle handle;
        private final long periodNanos;

        Lease(String holder, JobHandle handle, long leasedAt, long periodMillis) {
            this.holder = holder;
            this.handle = handle;
            this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
            handle.leasedUntil(leasedAt + config.local().visibilityTimeout().toNanos());
        }

        boolean renew(String jobId) {
            long asked = System.nanoTime();
            boolean renewed = ledger.renew(jobId, holder, config.local().visibilityTimeout());
            if (renewed) {
                handle.leasedUntil(asked + config.local().visibilityTimeout().toNanos());
            }
            return renewed;
        }

        /** Whether the lease may lapse before the next heartbeat could renew it. */
        boolean endsBeforeNextRenewal() {
            return System.nanoTime() >= handle.leasedUntil() - periodNanos;
        }
    }

    /**
     * Keeps the message hidden, stops a stalled ffmpeg, and stops a job nobody waits for anymore. Each
     * step goes on whether or not the one before failed: a message SQS no longer holds for this run
     * (its visibility ran out while SQS was down) must not leave a hung ffmpeg, or a deleted video's
     * job, running to its end.
     */
    private void heartbeat(Message message, LocalJob job, Lease lease, JobHandle handle) {
        // The lease is renewed before the message is hidden again: should this worker die, its
        // lease lapses no later than its message reappears.
        Boolean leased = attempt(job, () -> lease.renew(job.jobId()));
        // Once the lease lapses another run may take the job and write the same keys: this run
        // stops while the lease still holds, and the job is taken up again.
        if (!Boolean.TRUE.equals(leased) && lease.endsBeforeNextRenewal() && handle.lapse()) {
            LOG.warnf(
                    "Stopped job %s: its lease could not be renewed and would lapse before the next heartbeat",
                    job.jobId());
        }
        attempt(job, () -> {
            queue.hide(message, visibilitySeconds());
            return true;
        });
        handle.checkStall(config.local().stallTimeout());
        JobLedger.Standing standing = attempt(job, () -> ledger.standing(job.jobId()));
        if (standing == JobLedger.Standing.WANTED && Boolean.FALSE.equals(leased) && handle.abandon()) {
            LOG.infof("Stopped job %s: its lease lapsed and another run took it over", job.jobId());
        } else if (standing == JobLedger.Standing.CANCELED && handle.cancel()) {
            VideoLog.infof(LOG, job.videoId(), "Canceled job %s of video %s", job.jobId(), job.videoId());
        } else if (standing == JobLedger.Standing.ENDED && handle.abandon()) {
            LOG.infof("Stopped job %s: the ledger records its end", job.jobId());
        }
    }

    /** One step of a heartbeat: its answer, or null (logged) when the call failed. */
    private static <T> T attempt(LocalJob job, Supplier<T> step) {
        try {
            return step.get();
        } catch (RuntimeException e) {
            LOG.warnf("Heartbeat of job %s failed: %s", job.jobId(), e.getMessage());
            return null;
        }
    }

    /** Seconds until a lapsing run's lease has surely lapsed, and the job is free for the next run. */
    private static int untilLapsed(JobHandle handle) {
        long left = TimeUnit.NANOSECONDS.toSeconds(Math.max(0, handle.leasedUntil() - System.nanoTime()));
        return (int) Math.max(RETRY_DELAY_SECONDS, left + 2);
    }

    private int visibilitySeconds() {
        return (int) config.local().visibilityTimeout().toSeconds();
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
