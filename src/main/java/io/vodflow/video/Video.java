package io.vodflow.video;

import java.time.Instant;
import java.util.List;

/**
 * One video: what the client declared, where the pipeline is with it, and what came out. A change
 * makes a new value with {@link #change}, one version later; the repository writes it only over the
 * version it was derived from, so concurrent or repeated changes cannot overwrite each other.
 *
 * @param version grows by one with every change; Server-Sent Events use it as event id
 * @param attempt grows with every explicit retry; job events of older attempts are ignored
 * @param title optional, chosen by the client
 * @param source what the client declared about the file and where it is stored
 * @param wishes the client's optional limits on the renditions
 * @param claim which ingest delivery took the upload, null before
 * @param media what probing the stored source found, null before
 * @param job the transcoding job, null before submission
 * @param outputs what the job produced, null until COMPLETE
 * @param error why the video ended in ERROR, null otherwise
 */
public record Video(
        String id,
        VideoStatus status,
        long version,
        int attempt,
        String title,
        Source source,
        OutputWishes wishes,
        Claim claim,
        MediaInfo media,
        Job job,
        Outputs outputs,
        Failure error,
        Instant createdAt,
        Instant updatedAt) {

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

    /** The client's limits on the ABR ladder; each may be null. */
    public record OutputWishes(Integer maxHeight, Integer maxBitrate) {}

    /** The ingest delivery that took the upload: its SQS message id and when. */
    public record Claim(String by, Instant at) {}

    /**
     * What ffprobe found in the stored source, and what S3 says about the object.
     *
     * @param width picture width in square pixels (anamorphic sources are stretched to their shape)
     * @param rotation degrees clockwise a player turns the picture (0, 90, 180, 270)
     */
    public record MediaInfo(
            long storedSizeBytes,
            String storedContentType,
            String container,
            String videoCodec,
            String audioCodec,
            int width,
            int height,
            int rotation,
            double frameRate,
            long durationMs,
            int audioChannels) {

        public boolean hasVideo() {
            return videoCodec != null;
        }

        public boolean hasAudio() {
            return audioCodec != null;
        }

        /** Width as displayed, after rotation. */
        public int displayWidth() {
            return rotation % 180 == 0 ? width : height;
        }

        /** Height as displayed, after rotation. */
        public int displayHeight() {
            return rotation % 180 == 0 ? height : width;
        }
    }

    /**
     * The transcoding job.
     *
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

    /** One rung of the ABR ladder. */
    public record Rendition(String playlistKey, int width, int height, long bitrate) {}

    /** Why a video ended in ERROR, in words a user understands, with a machine-readable code. */
    public record Failure(String code, String message) {}

    /** A new video awaiting its upload. */
    public static Video created(String id, String title, Source source, OutputWishes wishes, Instant now) {
        return new Video(
                id, VideoStatus.AWAITING_UPLOAD, 1, 1, title, source, wishes, null, null, null, null, null, now, now);
    }

    /** Starts a change: the builder holds this video one version later, updated at {@code now}. */
    public Builder change(Instant now) {
        return new Builder(this, now);
    }

    /** Builds the next version of a video; only the fields that change need setting. */
    public static final class Builder {
        private final Video from;
        private final Instant now;
        private VideoStatus status;
        private int attempt;
        private Source source;
        private Claim claim;
        private MediaInfo media;
        private Job job;
        private Outputs outputs;
        private Failure error;

        private Builder(Video from, Instant now) {
            this.from = from;
            this.now = now;
            this.status = from.status;
            this.attempt = from.attempt;
            this.source = from.source;
            this.claim = from.claim;
            this.media = from.media;
            this.job = from.job;
            this.outputs = from.outputs;
            this.error = from.error;
        }

        public Builder status(VideoStatus status) {
            this.status = status;
            return this;
        }

        public Builder attempt(int attempt) {
            this.attempt = attempt;
            return this;
        }

        public Builder source(Source source) {
            this.source = source;
            return this;
        }

        public Builder claim(Claim claim) {
            this.claim = claim;
            return this;
        }

        public Builder media(MediaInfo media) {
            this.media = media;
            return this;
        }

        public Builder job(Job job) {
            this.job = job;
            return this;
        }

        public Builder outputs(Outputs outputs) {
            this.outputs = outputs;
            return this;
        }

        public Builder error(Failure error) {
            this.error = error;
            return this;
        }

        public Video build() {
            return new Video(
                    from.id,
                    status,
                    from.version + 1,
                    attempt,
                    from.title,
                    source,
                    from.wishes,
                    claim,
                    media,
                    job,
                    outputs,
                    error,
                    from.createdAt,
                    now);
        }
    }
}
