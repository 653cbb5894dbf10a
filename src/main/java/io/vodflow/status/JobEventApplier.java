package io.vodflow.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.storage.ObjectStore;
import io.vodflow.storage.VideoKeys;
import io.vodflow.support.VideoLog;
import io.vodflow.transcode.FastStart;
import io.vodflow.transcode.Transcoder;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Applies job events to videos: finds the video (by its id in userMetadata, else by job id), refuses
 * an event that reaches outside that video's keys, and applies the event's transition with a
 * conditional write; the repository announces the change to subscribers and metrics. A job that ends
 * after its video was deleted, or while it is being deleted, has its outputs removed; a job's end also
 * ends its attempt's preview (fast start), whose events tell only when the video plays. A job still
 * running whose work nobody will use is canceled.
 */
// A singleton, made with its first user at start-up rather than on whichever thread first calls it.
@Singleton
public class JobEventApplier {

    private static final Logger LOG = Logger.getLogger(JobEventApplier.class);

    private final VideoRepository videos;
    private final ObjectStore store;
    private final JobOutputs outputs;
    private final FastStart fastStart;
    private final Transcoder transcoder;
    private final String engine;
    private final String outputBucket;
    private final ObjectMapper json;

    JobEventApplier(
            VideoRepository videos,
            ObjectStore store,
            JobOutputs outputs,
            Transcoder transcoder,
            FastStart fastStart,
            ObjectMapper json,
            VodflowConfig config) {
        this.videos = videos;
        this.fastStart = fastStart;
        this.json = json;
        this.store = store;
        this.outputs = outputs;
        this.transcoder = transcoder;
        this.engine = transcoder.name();
        this.outputBucket = config.storage().outputBucket();
    }

    /** A job event that names files outside its video's own keys, or counts beyond reason. */
    static class OutOfScopeException extends IllegalArgumentException {
        OutOfScopeException(String message) {
            super(message);
        }
    }

    /**
     * Applies an event an engine kept after it was lost on its way (the reconciler's way in): the same
     * rules as for any delivery, so applying it after all changes nothing.
     */
    public Uni<Void> applyKept(String event) {
        return Uni.createFrom()
                .item(() -> {
                    try {
                        return JobEvent.parse(json.readTree(event));
                    } catch (JsonProcessingException e) {
                        throw new IllegalArgumentException("The engine kept an unreadable event", e);
                    }
                })
                .flatMap(this::apply);
    }

    Uni<Void> apply(JobEvent event) {
        Uni<String> videoId =
                event.videoId() != null ? Uni.createFrom().item(event.videoId()) : videos.findIdByJobId(event.jobId());
        return videoId.flatMap(id -> {
            if (id == null) {
                LOG.infof("Ignoring %s of job %s: no video has this job", event.status(), event.jobId());
                return Uni.createFrom().voidItem();
            }
            Optional<String> outOfScope = event.outOfScope(id, outputBucket);
            if (outOfScope.isPresent()) {
                return refuseOutOfScope(id, event, outOfScope.get());
            }
            if (event.preview()) {
                return applyPreview(id, event);
            }
            if ("ERROR".equals(event.status())) {
                // The whole text for operators: the owner reads it without storage paths and ARNs.
                VideoLog.warnf(
                        LOG,
                        id,
                        "Job %s of video %s failed: %s %s",
                        event.jobId(),
                        id,
                        event.errorCode(),
                        event.errorMessage());
            }
            return outputs.of(event)
                    .flatMap(produced -> applyTo(id, event, produced))
                    .call(video -> StatusRules.runsForNothing(video, event)
                            ? cancelUnused(id, event)
                            : Uni.createFrom().voidItem())
                    // The end of a job the video does not wait for (a duplicate's, a forged one's) ends
                    // nothing of the attempt's: its preview plays on.
                    .flatMap(video -> StatusRules.isFinal(event)
                                    && (video == null || video.isDeleting() || !StatusRules.isForeign(video, event))
                            ? ended(id, event, video)
                            : Uni.createFrom().voidItem());
        });
    }

    /**
     * An event about files outside its video's keys is refused (and dead-lettered), unless no such
     * video is here: then it is another deployment's, whose jobs' events reach this queue too when
     * both share an account and region and the stack's rule forwards every MediaConvert event; it
     * would change nothing here, and an alarm on each of them would be noise.
     */
    private Uni<Void> refuseOutOfScope(String id, JobEvent event, String why) {
        return videos.find(id).flatMap(video -> {
            if (video == null) {
                LOG.infof(
                        "Ignoring %s of job %s: no video %s here (another deployment's job?)",
                        event.status(), event.jobId(), id);
                return Uni.createFrom().voidItem();
            }
            return Uni.createFrom().failure(new OutOfScopeException(why));
        });
    }

    /**
     * Cancels a job whose work nobody will use, once its engine confirms it is this video's: an event
     * naming another job is not enough. A cancel that fails is only logged: the job's next event
     * (MediaConvert sends one a minute while it runs) tries again.
     */
    private Uni<Void> cancelUnused(String id, JobEvent event) {
        if (event.attempt() == null) {
            return Uni.createFrom().voidItem(); // no attempt to confirm it by
        }
        return transcoder
                .runsFor(event.jobId(), id, event.attempt())
                .flatMap(ours -> {
                    if (!ours) {
                        // Another deployment's job in the same account, or a forged event: not ours to stop.
                        LOG.debugf(
                                "Not canceling job %s: its engine does not hold it as video %s's", event.jobId(), id);
                        return Uni.createFrom().voidItem();
                    }
                    VideoLog.infof(LOG, id, "Canceling job %s: video %s will not use it", event.jobId(), id);
                    return transcoder.cancel(event.jobId());
                })
                .onFailure()
                .recoverWithUni(failure -> {
                    VideoLog.warnf(LOG, id, "Job %s of video %s could not be canceled: %s", event.jobId(), id, failure);
                    return Uni.createFrom().voidItem();
                });
    }

    /**
     * A job ended: the attempt's preview, if any, is no longer needed; and if the video was deleted
     * while the job ran, whatever the job wrote since belongs to nobody.
     */
    private Uni<Void> ended(String id, JobEvent event, Video video) {
        Uni<Void> previewEnded =
                event.attempt() == null ? Uni.createFrom().voidItem() : fastStart.end(id, event.attempt());
        return video == null || video.isDeleting()
                ? previewEnded.flatMap(ignored -> removeOrphanedOutputs(id, event))
                : previewEnded;
    }

    /**
     * A preview's event (fast start): only its playable moment is the video's; once it ends, its files
     * go if nothing plays them any more (the video ended, or went).
     */
    private Uni<Void> applyPreview(String id, JobEvent event) {
        boolean last = StatusRules.isFinal(event);
        if (event.playableMasterPlaylist() == null && !last) {
            return Uni.createFrom().voidItem();
        }
        return videos.update(id, current -> StatusRules.previewed(current, event, Instant.now()))
                .flatMap(video -> last
                                && (video == null
                                        || video.isDeleting()
                                        || video.status().isTerminal())
                        ? fastStart.remove(id)
                        : Uni.createFrom().voidItem());
    }

    /**
     * One read and one write for an event about the recorded job; a job's first event, which records
     * the job before the video moves on, takes a second round.
     *
     * @return the video after the event, or null when there is no such video
     */
    private Uni<Video> applyTo(String id, JobEvent event, JobOutputs.Produced produced) {
        AtomicBoolean jobRecorded = new AtomicBoolean();
        return videos.update(id, current -> step(current, event, produced, jobRecorded))
                .flatMap(video -> video != null && jobRecorded.get()
                        ? videos.update(id, current -> step(current, event, produced, jobRecorded))
                        : Uni.createFrom().item(video));
    }

    /** Records the job if the event is its first news, else applies the event; see {@link #applyTo}. */
    private Video step(Video current, JobEvent event, JobOutputs.Produced produced, AtomicBoolean jobRecorded) {
        Instant now = Instant.now();
        Video submitted = StatusRules.submittedBy(current, event, engine, now);
        jobRecorded.set(submitted != current);
        if (submitted != current) {
            return submitted;
        }
        if (StatusRules.isForeign(current, event)) {
            VideoLog.infof(
                    LOG,
                    current.id(),
                    "Dropping %s of job %s (attempt %s): video %s waits for job %s of attempt %d",
                    event.status(),
                    event.jobId(),
                    event.attempt(),
                    current.id(),
                    current.job() == null ? "none" : current.job().id(),
                    current.attempt());
            return current;
        }
        return StatusRules.apply(current, event, produced, now);
    }

    /** The video was deleted while its job ran: whatever the job wrote since belongs to nobody. */
    private Uni<Void> removeOrphanedOutputs(String id, JobEvent event) {
        VideoLog.infof(
                LOG,
                id,
                "Job %s of deleted video %s ended %s; removing its outputs",
                event.jobId(),
                id,
                event.status());
        return store.deletePrefix(outputBucket, VideoKeys.outputs(id));
    }
}
