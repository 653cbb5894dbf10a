package io.vodflow.video;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnore;
import io.vodflow.media.MediaInfo;
import io.vodflow.media.RenditionLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One video: what the client declared, where the pipeline is with it, and what came out, and the
 * state machine that moves it. Every change is one of the named transitions below, which makes a new
 * value one version later; the repository writes it only over the version it was derived from, so
 * concurrent or repeated changes cannot overwrite each other.
 *
 * @param owner the subject of the token that created it; only it and administrators reach the video
 * @param version grows by one with every change; Server-Sent Events use it as event id
 * @param attempt grows with every explicit retry; job events of older attempts are ignored
 * @param title optional, chosen by the client
 * @param source what the client declared about the file and where it is stored
 * @param limits the client's optional limits on the renditions (stored as "wishes" before)
 * @param claim which ingest delivery took the upload, null before
 * @param media what probing the stored source found, null before
 * @param job the transcoding job, null before submission
 * @param outputs what the job produced, null until COMPLETE
 * @param playable where its stream plays while the job still runs, and since when; null before
 * @param error why the video ended in ERROR, null otherwise
 * @param deletingAt when its owner deleted it, null before; the record goes last, once its job, upload
 *     and files are gone, so that a delete cut short is finished later
 * @param trace the W3C traceparent of the request that created it, null when tracing is off: the
 *     ingest, the job and its events continue that trace, across hops (S3, MediaConvert) that carry no
 *     trace context of their own
 */
public record Video(
        String id,
        String owner,
        VideoStatus status,
        long version,
        int attempt,
        String title,
        Source source,
        @JsonAlias("wishes") RenditionLimits limits,
        Claim claim,
        MediaInfo media,
        Job job,
        Outputs outputs,
        Playable playable,
        Failure error,
        Instant createdAt,
        Instant updatedAt,
        Instant deletingAt,
        String trace) {

    /**
     * The uploaded file as declared by the client. {@code fileName} is data only: storage keys are
     * generated, never derived from it.
     *
     * @param multipartUploadId the S3 multipart upload, when the file is uploaded in parts
     * @param partCount how many parts the multipart upload was planned with
     * @param uploadCompletedAt when the client completed the multipart upload through the API
     */
    public record Source(
            String fileName,
            String contentType,
            long sizeBytes,
            String key,
            String multipartUploadId,
            int partCount,
            long partSize,
            Instant uploadCompletedAt) {

        public boolean multipart() {
            return multipartUploadId != null;
        }

        public Source completed(Instant at) {
            return new Source(fileName, contentType, sizeBytes, key, multipartUploadId, partCount, partSize, at);
        }
    }

    /**
     * The ingest delivery that took the upload: its SQS message id and when.
     *
     * @param submittingAt when a delivery first set out to submit the attempt's job, null before; kept
     *     when another delivery takes the claim over, which then looks for that job before starting one
     */
    public record Claim(String by, Instant at, Instant submittingAt) {}

    /**
     * The transcoding job.
     *
     * @param backend the engine that runs it: {@code mediaconvert} or {@code local}
     * @param percent 0 to 100, only grows
     * @param phase PROBING, TRANSCODING or UPLOADING while the job runs
     */
    public record Job(
            String id,
            String backend,
            int percent,
            String phase,
            Instant submittedAt,
            Instant startedAt,
            Instant completedAt) {}

    /** What a COMPLETE job produced, as keys in the output bucket. */
    public record Outputs(
            String masterPlaylistKey, List<Rendition> renditions, List<String> thumbnailKeys, long durationMs) {}

    /**
     * The job's HLS stream, playable while the job goes on: its master playlist lists every rendition,
     * each with at least one stored segment, and the renditions grow until COMPLETE.
     *
     * @param at when it became playable
     */
    public record Playable(String masterPlaylistKey, Instant at) {}

    /** One rung of the ABR ladder. */
    public record Rendition(String playlistKey, int width, int height, long bitrate) {}

    /**
     * Why a video ended in ERROR, in words a user understands, with a machine-readable code. An
     * engine's text goes into it too: storage paths, ARNs, URLs and request ids in it are replaced,
     * also in records stored before this rule.
     */
    public record Failure(String code, String message) {
        public Failure {
            message = OwnerText.redact(message);
        }
    }

    /** A new video awaiting its upload. */
    public static Video created(
            String id, String owner, String title, Source source, RenditionLimits limits, String trace, Instant now) {
        return new Video(
                id,
                owner,
                VideoStatus.AWAITING_UPLOAD,
                1,
                1,
                title,
                source,
                limits,
                null,
                null,
                null,
                null,
                null,
                null,
                now,
                now,
                null,
                trace);
    }

    // The transitions: the only ways a video changes. Each returns the next version, or this video
    // itself when its rule refuses the change, so that a repeated or stale change writes nothing. A
    // video being deleted refuses every change: nothing may start or finish for it anymore.

    /** Its owner deleted it: what it holds is being removed, the record last. */
    public Video deleting(Instant now) {
        return deletingAt != null ? this : change(now).deleting(now).build();
    }

    @JsonIgnore
    public boolean isDeleting() {
        return deletingAt != null;
    }

    /**
     * Whether the work of this job is still wanted: it is the video's recorded job, and the video is
     * neither being deleted nor ended in ERROR or CANCELED.
     */
    public boolean wants(String jobId) {
        return deletingAt == null
                && status != VideoStatus.ERROR
                && status != VideoStatus.CANCELED
                && job != null
                && job.id().equals(jobId);
    }

    /** Whether this job is the video's and has ended: a report of its progress comes late. */
    public boolean hasEnded(String jobId) {
        return job != null && job.id().equals(jobId) && job.completedAt() != null;
    }

    /** The client completed its multipart upload through the API; the file's arrival is noticed later. */
    public Video partsCompleted(Instant now) {
        return source.uploadCompletedAt() != null || status == VideoStatus.CANCELED
                ? this
                : change(now).source(source.completed(now)).build();
    }

    /** The client gave up an upload that has not arrived: the video ends CANCELED. */
    public Video uploadAborted(Instant now) {
        return uploadGivenUp(new Failure("UPLOAD_ABORTED", "The upload was aborted"), now);
    }

    /** The file never arrived, and its upload URLs expired: the video ends CANCELED. */
    public Video uploadExpired(Instant now) {
        return uploadGivenUp(
                new Failure("UPLOAD_EXPIRED", "The file did not arrive before its upload URLs expired"), now);
    }

    private Video uploadGivenUp(Failure why, Instant now) {
        return status != VideoStatus.AWAITING_UPLOAD
                ? this
                : change(now).status(VideoStatus.CANCELED).error(why).build();
    }

    /**
     * An ingest delivery takes the arrived upload: a fresh one, or one whose claim by another delivery
     * is older than {@code lease} (that delivery's consumer died).
     */
    public Video uploadClaimed(String deliveryId, Duration lease, Instant now) {
        boolean fresh = status == VideoStatus.AWAITING_UPLOAD;
        boolean abandoned = status == VideoStatus.UPLOADED
                && !deliveryId.equals(claim.by())
                && claim.at().plus(lease).isBefore(now);
        return fresh || abandoned
                ? change(now)
                        .status(VideoStatus.UPLOADED)
                        .claim(new Claim(deliveryId, now, claim == null ? null : claim.submittingAt()))
                        .build()
                : this;
    }

    /** Whether this delivery holds the arrived upload of this attempt, of a video not being deleted. */
    public boolean claimedBy(String deliveryId, int attempt) {
        return status == VideoStatus.UPLOADED
                && this.attempt == attempt
                && claim != null
                && deliveryId.equals(claim.by())
                && deletingAt == null;
    }

    /** Probing found what the source holds; recorded only while the probing delivery holds the claim. */
    public Video probed(String deliveryId, int attempt, MediaInfo found, Instant now) {
        return claimedBy(deliveryId, attempt) ? change(now).media(found).build() : this;
    }

    /**
     * The delivery holding the claim sets out to submit the attempt's job: recorded before the engine
     * is called, so that whoever comes after a crash knows a job may exist. The first time is kept.
     */
    public Video submitting(String deliveryId, int attempt, Instant now) {
        return claimedBy(deliveryId, attempt) && claim.submittingAt() == null
                ? change(now).claim(new Claim(claim.by(), claim.at(), now)).build()
                : this;
    }

    /**
     * An engine accepted the attempt's job: SUBMITTED, unless the job's events already moved the video
     * on. The first job recorded for an attempt is its job; a later one is not recorded.
     */
    public Video submitted(int attempt, String jobId, String engine, Instant now) {
        if (attempt != this.attempt || job != null || status == VideoStatus.AWAITING_UPLOAD) {
            return this;
        }
        Builder next = change(now).job(new Job(jobId, engine, 0, null, now, null, null));
        return status.canMoveTo(VideoStatus.SUBMITTED)
                ? next.status(VideoStatus.SUBMITTED).build()
                : next.build();
    }

    /** The attempt cannot go on (the upload or the job failed): ERROR with the reason. */
    public Video failed(int attempt, Failure failure, Instant now) {
        return attempt == this.attempt && status.canMoveTo(VideoStatus.ERROR)
                ? change(now).status(VideoStatus.ERROR).error(failure).build()
                : this;
    }

    /**
     * The recorded job runs: PROGRESSING, progress only grows, the start is the earliest reported.
     *
     * @param phase the phase to record, already the later of the recorded one and the reported one
     */
    public Video progressed(String jobId, int percent, String phase, Instant at, Instant now) {
        return jobEvent(jobId, VideoStatus.PROGRESSING, percent, phase, null, at, now, next -> {});
    }

    /** The recorded job's stream plays while the job goes on: kept once, until the video ends. */
    public Video playable(String jobId, Playable stream, Instant at, Instant now) {
        return jobEvent(jobId, VideoStatus.PROGRESSING, 0, null, stream, at, now, next -> {});
    }

    /**
     * A preview of this attempt plays while the recorded job goes on (MediaConvert's fast start): kept
     * once, until the video ends, as the job's own stream would be; the status is the job's to move.
     */
    public Video previewPlayable(int previewAttempt, Playable stream, Instant now) {
        if (previewAttempt != attempt || job == null || playable != null || status.isTerminal() || isDeleting()) {
            return this;
        }
        return change(now).playable(stream).build();
    }

    /** The recorded job ended well: COMPLETE with what it produced. */
    public Video completed(String jobId, Outputs produced, Instant at, Instant now) {
        return jobEvent(jobId, VideoStatus.COMPLETE, 0, null, null, at, now, next -> next.outputs(produced));
    }

    /** The recorded job failed: ERROR with the engine's reason. */
    public Video jobFailed(String jobId, Failure failure, Instant at, Instant now) {
        return jobEvent(jobId, VideoStatus.ERROR, 0, null, null, at, now, next -> next.error(failure));
    }

    /** The recorded job was canceled: CANCELED. */
    public Video canceled(String jobId, Instant at, Instant now) {
        return jobEvent(jobId, VideoStatus.CANCELED, 0, null, null, at, now, next -> {});
    }

    /**
     * Merges one job event in one direction only, so that any order of the same events ends in the
     * same record and an event applied twice changes nothing: the status moves forward and never
     * leaves a terminal one, progress and phase only grow, the start is the earliest seen, and the
     * stream, once playable, stays so.
     *
     * @param stream the stream this event made playable, or null
     */
    private Video jobEvent(
            String jobId,
            VideoStatus target,
            int percent,
            String phase,
            Playable stream,
            Instant at,
            Instant now,
            Consumer<Builder> onMove) {
        if (job == null || !job.id().equals(jobId) || status == VideoStatus.AWAITING_UPLOAD) {
            return this;
        }
        boolean moves = status.canMoveTo(target);
        Job next = new Job(
                job.id(),
                job.backend(),
                moves && target == VideoStatus.COMPLETE ? 100 : Math.max(job.percent(), percent),
                phase == null ? job.phase() : phase,
                job.submittedAt(),
                target == VideoStatus.PROGRESSING ? earliest(job.startedAt(), at) : job.startedAt(),
                moves && target.isTerminal() ? at : job.completedAt());
        Playable nextStream = playable == null && stream != null && !status.isTerminal() ? stream : playable;
        if (!moves && next.equals(job) && Objects.equals(nextStream, playable)) {
            return this;
        }
        Builder change = change(now).job(next).playable(nextStream);
        if (moves) {
            onMove.accept(change.status(target));
        }
        return change.build();
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null || (b != null && b.isBefore(a)) ? b : a;
    }

    private Builder change(Instant now) {
        return new Builder(this, now);
    }

    /** Builds the next version of a video; only the fields that change need setting. */
    private static final class Builder {
        private final Video from;
        private final Instant now;
        private VideoStatus status;
        private Source source;
        private Claim claim;
        private MediaInfo media;
        private Job job;
        private Outputs outputs;
        private Playable playable;
        private Failure error;
        private Instant deletingAt;

        private Builder(Video from, Instant now) {
            this.from = from;
            this.now = now;
            this.status = from.status;
            this.source = from.source;
            this.claim = from.claim;
            this.media = from.media;
            this.job = from.job;
            this.outputs = from.outputs;
            this.playable = from.playable;
            this.error = from.error;
            this.deletingAt = from.deletingAt;
        }

        Builder status(VideoStatus status) {
            this.status = status;
            return this;
        }

        Builder source(Source source) {
            this.source = source;
            return this;
        }

        Builder claim(Claim claim) {
            this.claim = claim;
            return this;
        }

        Builder media(MediaInfo media) {
            this.media = media;
            return this;
        }

        Builder job(Job job) {
            this.job = job;
            return this;
        }

        Builder outputs(Outputs outputs) {
            this.outputs = outputs;
            return this;
        }

        Builder playable(Playable playable) {
            this.playable = playable;
            return this;
        }

        Builder error(Failure error) {
            this.error = error;
            return this;
        }

        Builder deleting(Instant at) {
            this.deletingAt = at;
            return this;
        }

        /** The next version; none while the video is being deleted. */
        Video build() {
            if (from.deletingAt != null) {
                return from;
            }
            return new Video(
                    from.id,
                    from.owner,
                    status,
                    from.version + 1,
                    from.attempt,
                    from.title,
                    source,
                    from.limits,
                    claim,
                    media,
                    job,
                    outputs,
                    playable,
                    error,
                    from.createdAt,
                    now,
                    deletingAt,
                    from.trace);
        }
    }
}
