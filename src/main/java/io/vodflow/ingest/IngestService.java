package io.vodflow.ingest;

import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.media.MediaInfo;
import io.vodflow.media.SourceProbe;
import io.vodflow.storage.ContentTypes;
import io.vodflow.storage.ObjectStore;
import io.vodflow.storage.S3Uri;
import io.vodflow.storage.VideoKeys;
import io.vodflow.support.Offload;
import io.vodflow.support.VideoLog;
import io.vodflow.support.VideoSpans;
import io.vodflow.transcode.FastStart;
import io.vodflow.transcode.JobRejectedException;
import io.vodflow.transcode.JobTemplate;
import io.vodflow.transcode.TranscodeRequest;
import io.vodflow.transcode.Transcoder;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Turns one uploaded source into one transcoding job. The video is claimed with a conditional write,
 * so duplicate and replayed notifications do nothing; the stored object is checked and probed; a
 * source that cannot be transcoded ends in ERROR with a reason and no job. Passing faults fail the
 * returned {@link Uni}, so that the message is delivered again and the job submitted again with the
 * same idempotency token; should a second job of an attempt still start, its events are ignored
 * (the first job recorded wins).
 */
@ApplicationScoped
public class IngestService {

    private static final Logger LOG = Logger.getLogger(IngestService.class);
    private static final Duration PROBE_URL_LIFETIME = Duration.ofMinutes(15);

    private final VideoRepository videos;
    private final ObjectStore store;
    private final SourceProbe probe;
    private final JobTemplate template;
    private final Transcoder transcoder;
    private final FastStart fastStart;
    private final VodflowConfig config;
    private final VideoSpans spans;

    IngestService(
            VideoRepository videos,
            ObjectStore store,
            SourceProbe probe,
            JobTemplate template,
            Transcoder transcoder,
            FastStart fastStart,
            VodflowConfig config,
            VideoSpans spans) {
        this.fastStart = fastStart;
        this.videos = videos;
        this.store = store;
        this.probe = probe;
        this.template = template;
        this.transcoder = transcoder;
        this.config = config;
        this.spans = spans;
    }

    /**
     * Handles the notification that {@code key} was created in the input bucket.
     *
     * @param deliveryId the SQS message id, the same on every redelivery of one message
     */
    public Uni<Void> ingest(String key, String deliveryId) {
        Optional<String> id = VideoKeys.idOfSource(key);
        if (id.isEmpty()) {
            LOG.infof(
                    "Ignoring s3://%s/%s: not an upload source",
                    config.storage().inputBucket(), key);
            return Uni.createFrom().voidItem();
        }
        return store.head(config.storage().inputBucket(), VideoKeys.source(id.get()))
                .flatMap(head -> head != null
                        ? claimAndProcess(id.get(), deliveryId, head)
                        : notThere(id.get(), key, deliveryId));
    }

    private Uni<Void> claimAndProcess(String id, String deliveryId, HeadObjectResponse head) {
        return claim(id, deliveryId)
                .flatMap(claimed -> claimed == null
                        ? Uni.createFrom().voidItem()
                        : spans.around("ingest", claimed.id(), claimed.trace(), () -> process(claimed, head))
                                .replaceWithVoid());
    }

    /**
     * S3 reported a source created that is not there. S3 is strongly consistent, so while the video
     * still waits for its upload the notification is false (forged, or sent for another bucket's
     * object): it is refused, and leaves the video to the upload still to come. Otherwise it goes on
     * as any: a deleted or canceled video's is dropped, and a claimed one ends SOURCE_MISSING.
     */
    private Uni<Void> notThere(String id, String key, String deliveryId) {
        return videos.find(id)
                .flatMap(video -> video != null && video.status() == VideoStatus.AWAITING_UPLOAD && !video.isDeleting()
                        ? Uni.createFrom()
                                .failure(
                                        new FalseNotification(
                                                "s3://" + config.storage().inputBucket() + "/" + key
                                                        + " was reported created, but it is not there and its video still waits for it"))
                        : claimAndProcess(id, deliveryId, null));
    }

    /** The video if this delivery owns its upload now, else null (unknown, taken, or past this stage). */
    private Uni<Video> claim(String id, String deliveryId) {
        Duration lease = config.ingest().claimLease();
        return videos.update(id, video -> video.uploadClaimed(deliveryId, lease, Instant.now()))
                .flatMap(video -> {
                    if (video == null) {
                        VideoLog.infof(
                                LOG, id, "Removing the upload of video %s, which was deleted or never created", id);
                        return removeSource(id).replaceWith((Video) null);
                    }
                    if (video.status() == VideoStatus.CANCELED || video.isDeleting()) {
                        return removeSource(id).replaceWith((Video) null);
                    }
                    boolean mine = video.claimedBy(deliveryId, video.attempt());
                    if (!mine) {
                        LOG.debugf("Upload of %s already taken (status %s)", id, video.status());
                    }
                    return Uni.createFrom().item(mine ? video : null);
                });
    }

    /**
     * An upload can still arrive through its presigned URL after the client aborted it or deleted the
     * video: nothing will ever transcode it, and it only takes room.
     */
    private Uni<Void> removeSource(String id) {
        return store.delete(config.storage().inputBucket(), List.of(VideoKeys.source(id)));
    }

    /**
     * Ends the video of {@code key} in ERROR when its upload cannot be handled after every allowed
     * delivery (or the reconciler's take-ins), instead of leaving it in UPLOADED for ever, if that
     * delivery still holds it. The owner reads the reason: it says what happened in their terms, while
     * the cause (SDK text naming endpoints, buckets and request ids) stays in the log.
     *
     * @param howItFailed completes "it ... on the service's side", e.g. "failed 5 times in a row"
     * @return whether the video is in ERROR now (false when another delivery holds it, or it moved on)
     * @throws NotClaimed (as the Uni's failure) when the video still waits for its upload: no delivery
     *     got as far as claiming it (storage or the table failed every one before)
     */
    public Uni<Boolean> giveUp(String key, String deliveryId, String howItFailed) {
        Optional<String> id = VideoKeys.idOfSource(key);
        if (id.isEmpty()) {
            return Uni.createFrom().item(false);
        }
        Video.Failure failure = new Video.Failure(
                "INGEST_FAILED",
                "The upload could not be processed: it " + howItFailed
                        + " on the service's side (the operators' log says why); upload the file again as a new"
                        + " video");
        return videos.update(
                        id.get(),
                        video -> video.claimedBy(deliveryId, video.attempt())
                                ? video.failed(video.attempt(), failure, Instant.now())
                                : video)
                .map(video -> {
                    if (video != null && video.status() == VideoStatus.AWAITING_UPLOAD && !video.isDeleting()) {
                        throw new NotClaimed(video.id());
                    }
                    return video != null && video.status() == VideoStatus.ERROR;
                });
    }

    /**
     * An upload's notification failed every delivery before one could claim the upload. Nothing says
     * its file is sound, or even there, so the video is not failed for it: the notification goes to
     * the dead-letter queue (an alarm, a move back once the cause is fixed), and the reconciler takes
     * the upload in at its deadline otherwise.
     */
    public static final class NotClaimed extends IllegalStateException {
        NotClaimed(String id) {
            super("No delivery claimed the upload of video " + id);
        }
    }

    /** @param head the stored source, as it was before the claim; null when there is none */
    private Uni<Video> process(Video video, HeadObjectResponse head) {
        String problem = checkStoredObject(video, head);
        if (problem != null) {
            return fail(video, head == null ? "SOURCE_MISSING" : "SOURCE_REFUSED", problem);
        }
        return probe(video)
                .flatMap(result -> result instanceof SourceProbe.Probed probed
                        ? submit(video, probed.media().stored(head.contentLength(), head.contentType()))
                        : fail(
                                video,
                                ((SourceProbe.Unusable) result).code(),
                                ((SourceProbe.Unusable) result).reason()));
    }

    /** Why the stored object may not be transcoded, or null when it may. */
    private String checkStoredObject(Video video, HeadObjectResponse head) {
        if (head == null) {
            return "The uploaded file is no longer in storage";
        }
        long maxSize = config.upload().maxSize().asLongValue();
        if (head.contentLength() > maxSize) {
            return "The uploaded file is " + head.contentLength() + " bytes; the largest accepted is " + maxSize;
        }
        if (head.contentLength() != video.source().sizeBytes()) {
            return "The uploaded file has " + head.contentLength() + " bytes, not the "
                    + video.source().sizeBytes() + " that were declared";
        }
        if (!ContentTypes.isAllowed(head.contentType(), config.upload().allowedContentTypes())) {
            return "The uploaded file's type " + head.contentType() + " is not accepted";
        }
        return null;
    }

    /** ffprobe reads the source over a presigned GET URL: no credentials leave the service. */
    private Uni<SourceProbe.Result> probe(Video video) {
        S3Uri source = new S3Uri(config.storage().inputBucket(), video.source().key());
        return store.presignGet(source, PROBE_URL_LIFETIME)
                .flatMap(
                        url -> Offload.of(() -> probe.probe(url, config.ingest().probeTimeout())));
    }

    private Uni<Video> submit(Video claimed, MediaInfo media) {
        int attempt = claimed.attempt();
        String deliveryId = claimed.claim().by();
        return videos.update(claimed.id(), video -> video.probed(deliveryId, attempt, media, Instant.now()))
                .flatMap(video -> video == null
                        ? Uni.createFrom().nullItem()
                        : videos.update(video.id(), current -> current.submitting(deliveryId, attempt, Instant.now())))
                .flatMap(video -> {
                    if (video == null || !video.claimedBy(deliveryId, attempt)) {
                        return Uni.createFrom().item(video);
                    }
                    TranscodeRequest request = new TranscodeRequest(
                            video.id(),
                            attempt,
                            video.owner(),
                            video.trace(),
                            template.fitted(video.id(), media, video.limits()));
                    return startOrFind(request, claimed.claim().submittingAt())
                            .flatMap(jobId -> submitted(video.id(), attempt, jobId)
                                    .call(recorded -> afterSubmission(recorded, request, jobId)))
                            .onFailure(JobRejectedException.class)
                            .recoverWithUni(e -> fail(video, ((JobRejectedException) e).code(), e.getMessage()));
                });
    }

    /**
     * Starts the attempt's job, unless a delivery already set out to before (and then crashed, or lost
     * the engine's answer): that delivery's job, if the engine started it, is the attempt's job.
     */
    private Uni<String> startOrFind(TranscodeRequest request, Instant earlier) {
        if (earlier == null) {
            return transcoder.submit(request);
        }
        return transcoder.find(request, earlier).flatMap(found -> {
            if (found.isPresent()) {
                VideoLog.infof(
                        LOG,
                        request.videoId(),
                        "Video %s: found job %s, submitted before",
                        request.videoId(),
                        found.get());
                return Uni.createFrom().item(found.get());
            }
            return transcoder.submit(request);
        });
    }

    /**
     * Has the local engine make a preview beside the job (fast start). A preview that cannot be
     * submitted leaves the video to play at COMPLETE, as without fast start: its job runs anyway.
     */
    private Uni<Void> preview(TranscodeRequest request) {
        return fastStart.preview(request).onFailure().recoverWithUni(e -> {
            VideoLog.warnf(
                    LOG,
                    request.videoId(),
                    "Video %s: no preview, it plays at COMPLETE: %s",
                    request.videoId(),
                    e.getMessage());
            return Uni.createFrom().voidItem();
        });
    }

    /**
     * A video still waiting for its job gets a preview beside it; a job nobody waits for any more
     * (the video deleted, or given up in ERROR, while it was being created; a second job of the
     * attempt) is canceled, unless it ended already.
     */
    private Uni<Void> afterSubmission(Video recorded, TranscodeRequest request, String jobId) {
        if (recorded != null && recorded.wants(jobId)) {
            return recorded.status().isTerminal() ? Uni.createFrom().voidItem() : preview(request);
        }
        return recorded != null && recorded.hasEnded(jobId)
                ? Uni.createFrom().voidItem()
                : cancelUnwatched(request.videoId(), jobId);
    }

    /**
     * Submits the attempt's job again, because its engine lost it; the same idempotency token names the
     * same job wherever the engine still deduplicates it.
     *
     * @return the id of the job the engine runs now
     */
    public Uni<String> resubmit(Video video) {
        VideoLog.infof(
                LOG,
                video.id(),
                "Video %s attempt %d: submitting job %s again",
                video.id(),
                video.attempt(),
                video.job().id());
        return transcoder.submit(new TranscodeRequest(
                video.id(),
                video.attempt(),
                video.owner(),
                video.trace(),
                template.fitted(video.id(), video.media(), video.limits())));
    }

    /** Records SUBMITTED from the engine's answer; job events may already have moved the video further. */
    private Uni<Video> submitted(String id, int attempt, String jobId) {
        VideoLog.infof(LOG, id, "Video %s attempt %d submitted to %s as job %s", id, attempt, transcoder.name(), jobId);
        return videos.update(id, video -> video.submitted(attempt, jobId, transcoder.name(), Instant.now()));
    }

    /**
     * A job that started after its video stopped waiting for it: deleted (the delete looked for a job
     * to cancel before there was one), or given up in ERROR while the job was being created. No
     * record holds it, so nothing would watch or cancel it, and MediaConvert would bill it to the end.
     * A deleted video's outputs go when the job's final event finds no video.
     */
    private Uni<Void> cancelUnwatched(String id, String jobId) {
        VideoLog.infof(
                LOG, id, "Video %s no longer waits for job %s, which it was submitting; canceling it", id, jobId);
        return transcoder.cancel(jobId).onFailure().recoverWithItem(failure -> {
            VideoLog.warnf(LOG, id, "Job %s of video %s could not be canceled: %s", jobId, id, failure);
            return null;
        });
    }

    private Uni<Video> fail(Video claimed, String code, String reason) {
        VideoLog.warnf(LOG, claimed.id(), "Video %s cannot be transcoded: %s", claimed.id(), reason);
        Video.Failure failure = new Video.Failure(code, reason);
        return videos.update(claimed.id(), video -> video.failed(claimed.attempt(), failure, Instant.now()));
    }
}
