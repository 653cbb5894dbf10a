package io.vodflow.reconcile;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vodflow.catalog.CatalogService;
import io.vodflow.config.VodflowConfig;
import io.vodflow.ingest.IngestService;
import io.vodflow.status.JobEventApplier;
import io.vodflow.storage.ObjectStore;
import io.vodflow.support.VideoLog;
import io.vodflow.transcode.JobTruth;
import io.vodflow.transcode.Transcoder;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Finishes videos whose messages were lost. Nothing else looks at a video once its messages are
 * gone, so every interval it reads the videos not yet in a terminal status, or being deleted, whose
 * last change is old, through the sparse pending index (no scan), and:
 *
 * <ul>
 *   <li>an upload whose URLs expired long ago: if the file is in storage after all, its notification
 *       was lost and it is taken in now; otherwise the video ends CANCELED (UPLOAD_EXPIRED) and a
 *       multipart upload is aborted;
 *   <li>an upload claimed long ago and never submitted (its consumer died and the message ran out of
 *       deliveries): it is taken in again;
 *   <li>a job silent for long: its engine is asked. A job that ended has the final event its engine
 *       kept applied (the one vodflow missed, dead-lettered or lost); a job its engine lost is
 *       submitted again under the same id, or, when the engine would give it another id, the video
 *       ends in ERROR (JOB_LOST); a job that runs on, submitted longer ago than any job may take,
 *       ends the video in ERROR (JOB_TIMEOUT) and is canceled;
 *   <li>a delete left unfinished (its request failed half way): it is finished.
 * </ul>
 *
 * Every replica may run it at once: each correction is a conditional write or an idempotent ingest.
 * {@code vodflow_reconciler_corrections_total} counts what it did.
 */
@ApplicationScoped
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    /**
     * How the reconciler's own take-ins name their delivery: this, how many of them in a row took the
     * upload, a dash and a random id.
     */
    private static final String TAKE_IN = "reconciler-";
    /** Take-ins in a row that stalled, after which a passing fault is taken to last. */
    private static final int MAX_TAKE_INS = 3;

    /** What the reconciler did to a video. */
    public enum Correction {
        NONE,
        EXPIRED,
        TAKEN_IN,
        FINISHED,
        RESUBMITTED,
        LOST,
        DELETED,
        GAVE_UP,
        TIMED_OUT;

        String tag() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    private final VideoRepository videos;
    private final ObjectStore store;
    private final IngestService ingest;
    private final CatalogService catalog;
    private final JobEventApplier events;
    private final Transcoder transcoder;
    private final VodflowConfig config;
    private final Vertx vertx;
    private final MeterRegistry metrics;
    private final AtomicBoolean running = new AtomicBoolean();
    private long timer = -1;

    Reconciler(
            VideoRepository videos,
            ObjectStore store,
            IngestService ingest,
            CatalogService catalog,
            JobEventApplier events,
            Transcoder transcoder,
            VodflowConfig config,
            Vertx vertx,
            MeterRegistry metrics) {
        this.videos = videos;
        this.store = store;
        this.ingest = ingest;
        this.catalog = catalog;
        this.events = events;
        this.transcoder = transcoder;
        this.config = config;
        this.vertx = vertx;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) {
        if (config.reconciler().enabled()) {
            timer = vertx.setPeriodic(config.reconciler().interval().toMillis(), tick -> tick());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void tick() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        reconcile(Instant.now())
                .onTermination()
                .invoke(() -> running.set(false))
                .subscribe()
                .with(corrections -> {}, failure -> LOG.warnf("Reconciling failed: %s", failure.getMessage()));
    }

    /**
     * One round, as if it were {@code now}: tests pass a later time instead of waiting for it.
     *
     * @return what was done, one entry per video looked at: every pending video older than the
     *     youngest age that may need a correction, one at a time
     */
    public Uni<List<Correction>> reconcile(Instant now) {
        Duration youngest = Stream.of(uploadAge(), silence(), unfinishedDelete())
                .min(Comparator.naturalOrder())
                .orElseThrow();
        return videos.pendingSince(now.minus(youngest))
                .onItem()
                .transformToUniAndConcatenate(id -> check(id, now).onFailure().recoverWithItem(failure -> {
                    LOG.warnf(failure, "Could not reconcile video %s", id);
                    return Correction.NONE;
                }))
                .invoke(correction -> {
                    if (correction != Correction.NONE) {
                        metrics.counter("vodflow.reconciler.corrections", "action", correction.tag())
                                .increment();
                    }
                })
                .collect()
                .asList();
    }

    private Uni<Correction> check(String id, Instant now) {
        return videos.find(id).flatMap(video -> {
            if (video == null) {
                return Uni.createFrom().item(Correction.NONE);
            }
            if (video.isDeleting()) {
                return video.deletingAt().plus(unfinishedDelete()).isBefore(now)
                        ? finishDelete(video)
                        : Uni.createFrom().item(Correction.NONE);
            }
            if (video.status() == VideoStatus.AWAITING_UPLOAD
                    && video.createdAt().plus(uploadAge()).isBefore(now)) {
                return lapsedUpload(video, now);
            }
            // Past its lease too, or the delivery holding it may still be at work.
            boolean claimStalled = video.status() == VideoStatus.UPLOADED
                    && video.claim() != null
                    && video.claim().at().plus(silence()).isBefore(now)
                    && video.claim().at().plus(config.ingest().claimLease()).isBefore(now);
            if (claimStalled) {
                int takeIns = takeIns(video.claim());
                return takeIns >= MAX_TAKE_INS
                        ? giveUp(video, takeIns)
                        : takeIn(video, takeIns + 1, "its claim is older than " + silence());
            }
            boolean jobSilent = (video.status() == VideoStatus.SUBMITTED || video.status() == VideoStatus.PROGRESSING)
                    && video.job() != null
                    && video.updatedAt().plus(silence()).isBefore(now);
            return jobSilent ? askEngine(video, now) : Uni.createFrom().item(Correction.NONE);
        });
    }

    /**
     * The job's events stopped: its engine's own records say what became of it. Past the longest job,
     * a job the engine cannot be asked about (its lookups refused) ends as one that runs on, so that no
     * video waits for ever on a lookup.
     */
    private Uni<Correction> askEngine(Video video, Instant now) {
        Uni<JobTruth> truth = transcoder.lookup(video.job().id());
        if (!video.job().submittedAt().plus(maxJobTime()).isBefore(now)) {
            return truth.flatMap(said -> follow(video, said, now));
        }
        return truth.onItemOrFailure().transformToUni((said, failure) -> {
            if (failure == null) {
                return follow(video, said, now);
            }
            VideoLog.warnf(
                    LOG,
                    video.id(),
                    "Video %s: job %s could not be looked up (%s), and is past the longest job",
                    video.id(),
                    video.job().id(),
                    failure.getMessage());
            return timedOut(video, now);
        });
    }

    /** Does what the engine says of the job. */
    private Uni<Correction> follow(Video video, JobTruth truth, Instant now) {
        String jobId = video.job().id();
        return switch (truth.state()) {
            case RUNNING -> video.job().submittedAt().plus(maxJobTime()).isBefore(now)
                    ? timedOut(video, now)
                    : Uni.createFrom().item(Correction.NONE);
            case ENDED -> {
                VideoLog.infof(
                        LOG,
                        video.id(),
                        "Video %s: job %s ended without a word; applying its final event",
                        video.id(),
                        jobId);
                yield events.applyKept(truth.finalEvent()).replaceWith(Correction.FINISHED);
            }
            case LOST -> ingest.resubmit(video)
                    .flatMap(resubmitted -> resubmitted.equals(jobId)
                            ? Uni.createFrom().item(Correction.RESUBMITTED)
                            : lostForGood(video, resubmitted, now));
        };
    }

    /**
     * The engine started another job than the recorded one: the lost job's attempt cannot go on. The
     * video ends in ERROR before the other job is canceled, so that a failure to cancel does not leave
     * the video waiting, nor have the next pass start yet another job; a job that still reports later
     * is canceled again then, as one that runs for nothing.
     */
    private Uni<Correction> lostForGood(Video video, String otherJob, Instant now) {
        VideoLog.warnf(
                LOG,
                video.id(),
                "Video %s: job %s was lost, and %s runs in its place; it ends in ERROR and %s is canceled",
                video.id(),
                video.job().id(),
                otherJob,
                otherJob);
        Video.Failure failure = new Video.Failure("JOB_LOST", "The transcoding job was lost; upload the video again");
        return failed(video, failure, now)
                .flatMap(failed -> transcoder.cancel(otherJob).replaceWith(failed ? Correction.LOST : Correction.NONE));
    }

    /**
     * The job runs on without a word long after any job should have ended (its queue paused, or the job
     * hung). The video ends in ERROR first, so that no failure to cancel leaves it waiting; a job that
     * still reports later is canceled again then, as one that runs for nothing.
     */
    private Uni<Correction> timedOut(Video video, Instant now) {
        long hours = maxJobTime().toHours();
        Video.Failure failure = new Video.Failure(
                "JOB_TIMEOUT",
                "The transcoding job was still not done "
                        + (hours > 0 ? hours + " hours" : maxJobTime().toMinutes() + " minutes")
                        + " after it was submitted; upload the video again");
        return failed(video, failure, now).flatMap(failed -> {
            if (!failed) {
                return Uni.createFrom().item(Correction.NONE);
            }
            VideoLog.warnf(
                    LOG,
                    video.id(),
                    "Video %s: job %s, submitted at %s, runs on without a word; it ends in ERROR and the job"
                            + " is canceled",
                    video.id(),
                    video.job().id(),
                    video.job().submittedAt());
            return transcoder.cancel(video.job().id()).replaceWith(Correction.TIMED_OUT);
        });
    }

    /** Ends the video's attempt in ERROR; whether this call did, rather than a change before it. */
    private Uni<Boolean> failed(Video video, Video.Failure failure, Instant now) {
        AtomicBoolean changed = new AtomicBoolean();
        return videos.update(video.id(), current -> {
                    Video next = current.failed(video.attempt(), failure, now);
                    changed.set(next != current);
                    return next;
                })
                .map(updated -> updated != null && changed.get());
    }

    private Uni<Correction> finishDelete(Video video) {
        VideoLog.infof(
                LOG,
                video.id(),
                "Video %s: finishing its delete, left unfinished since %s",
                video.id(),
                video.deletingAt());
        return catalog.finishDelete(video).replaceWith(Correction.DELETED);
    }

    /**
     * The upload URLs expired long ago: the file arrived without a word, or never will. Its parts are
     * abandoned at storage before the file is looked for, so that no completion can follow the look.
     */
    private Uni<Correction> lapsedUpload(Video video, Instant now) {
        Video.Source source = video.source();
        return store.arrivedOnceClosed(config.storage().inputBucket(), source.key(), source.multipartUploadId())
                .flatMap(arrived -> arrived
                        ? takeIn(video, 1, "its file arrived but its notification was lost")
                        : expire(video, now));
    }

    private Uni<Correction> expire(Video video, Instant now) {
        return videos.update(video.id(), current -> current.uploadExpired(now)).map(updated -> {
            boolean expired = updated != null && updated.version() > video.version();
            if (expired) {
                VideoLog.infof(LOG, video.id(), "Video %s: its file never arrived; it ends CANCELED", video.id());
            }
            return expired ? Correction.EXPIRED : Correction.NONE;
        });
    }

    /**
     * Takes the upload in as its notification would have: the claim decides who processes it.
     *
     * @param takeIn which of the reconciler's take-ins in a row this is, from 1
     */
    private Uni<Correction> takeIn(Video video, int takeIn, String why) {
        VideoLog.infof(LOG, video.id(), "Video %s: taking its upload in again, as %s", video.id(), why);
        return ingest.ingest(video.source().key(), TAKE_IN + takeIn + "-" + UUID.randomUUID())
                .replaceWith(Correction.TAKEN_IN);
    }

    /** How many of the reconciler's take-ins in a row took the upload: 0 when a notification's did. */
    private static int takeIns(Video.Claim claim) {
        String by = claim.by();
        int dash = by.indexOf('-', TAKE_IN.length());
        if (!by.startsWith(TAKE_IN) || dash < 0) {
            return 0;
        }
        try {
            return Integer.parseInt(by.substring(TAKE_IN.length(), dash));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The reconciler took the upload in {@code takeIns} times, and each got no further: whatever stops
     * it lasts, and taking it in once per silence for ever would only hide that. It ends in ERROR.
     */
    private Uni<Correction> giveUp(Video video, int takeIns) {
        return ingest.giveUp(
                        video.source().key(),
                        video.claim().by(),
                        "stalled each of the " + takeIns + " times it was taken in again")
                .map(ended -> {
                    if (ended) {
                        VideoLog.warnf(
                                LOG,
                                video.id(),
                                "Video %s: taken in %d times and stalled each time, the last since %s; it ends in"
                                        + " ERROR (the warnings before say why)",
                                video.id(),
                                takeIns,
                                video.claim().at());
                    }
                    return ended ? Correction.GAVE_UP : Correction.NONE;
                });
    }

    /** How long after creation an upload that has not arrived is given up. */
    private Duration uploadAge() {
        return config.upload().longestUrlLifetime().plus(config.reconciler().uploadGrace());
    }

    private Duration unfinishedDelete() {
        return config.reconciler().unfinishedDelete();
    }

    private Duration silence() {
        return config.reconciler().silence();
    }

    private Duration maxJobTime() {
        return config.reconciler().maxJobTime();
    }
}
