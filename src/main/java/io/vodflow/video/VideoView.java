package io.vodflow.video;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A video as clients see it: in API responses and in every Server-Sent Event. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Video")
public record VideoView(
        String id,
        VideoStatus status,
        @Schema(description = "Grows with every change; the id of the Server-Sent Event carrying it") long version,
        @Schema(description = "Grows with every retry") int attempt,
        String title,
        @Schema(description = "File name as the client declared it") String fileName,
        String contentType,
        long sizeBytes,
        @Schema(description = "The client's limits on the renditions") Video.OutputWishes output,
        @Schema(description = "How far the transcoding job is, while it runs") Progress progress,
        @Schema(description = "Why the video failed, when status is ERROR") Video.Failure error,
        Instant createdAt,
        Instant updatedAt) {

    /** Job progress: percent complete and the current phase (PROBING, TRANSCODING, UPLOADING). */
    public record Progress(int percent, String phase) {}

    public static VideoView of(Video video) {
        Video.Job job = video.job();
        return new VideoView(
                video.id(),
                video.status(),
                video.version(),
                video.attempt(),
                video.title(),
                video.source().fileName(),
                video.source().contentType(),
                video.source().sizeBytes(),
                video.wishes(),
                job == null ? null : new Progress(job.percent(), job.phase()),
                video.error(),
                video.createdAt(),
                video.updatedAt());
    }
}
