package io.vodflow.video;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vodflow.media.MediaInfo;
import io.vodflow.media.RenditionLimits;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A video as clients see it: in API responses and in every Server-Sent Event. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Video")
public record VideoView(
        String id,
        @Schema(description = "Subject of the user who created it") String owner,
        VideoStatus status,
        @Schema(description = "Grows with every change; the id of the Server-Sent Event carrying it") long version,
        @Schema(description = "Grows with every retry") int attempt,
        String title,
        @Schema(description = "File name as the client declared it") String fileName,
        String contentType,
        long sizeBytes,
        @Schema(description = "The client's limits on the renditions") RenditionLimits output,
        @Schema(description = "How far the transcoding job is, while it runs") Progress progress,
        @Schema(description = "Why the video failed, when status is ERROR") Video.Failure error,
        @Schema(description = "What probing the upload found") Media source,
        @Schema(
                        description = "Where to play the video: from playableAt, while its job still runs (the"
                                + " renditions grow until COMPLETE, and renditions and thumbnails are listed"
                                + " from then on); the links are signed and expire")
                Playback playback,
        @Schema(
                        description = "When the video became playable, before COMPLETE: from the Server-Sent"
                                + " Event carrying this field on, playback is set")
                Instant playableAt,
        @Schema(
                        description = "Link to follow the video's events without a bearer token, for EventSource;"
                                + " valid for a few minutes, and a stream opened with it ends soon after it expires."
                                + " Absent from the events themselves and from an upload completed through its"
                                + " signed link: a stream that ended is opened again with a fresh link from"
                                + " GET /videos/{id}")
                String events,
        Instant createdAt,
        Instant updatedAt) {

    /** Job progress: percent complete and the current phase (PROBING, TRANSCODING, UPLOADING). */
    public record Progress(int percent, String phase) {}

    /** The media in the uploaded file, as probing found it. */
    @Schema(name = "Media")
    public record Media(
            String container,
            String videoCodec,
            String audioCodec,
            int width,
            int height,
            double frameRate,
            long durationMs) {}

    /**
     * URLs of the outputs: relative to this service (which serves them), or on the configured CDN.
     *
     * @param masterPlaylist the HLS master playlist, for hls.js or a native player
     */
    @Schema(name = "Playback")
    public record Playback(
            String masterPlaylist,
            List<Rendition> renditions,
            List<String> thumbnails,
            long durationMs,
            @Schema(
                            description = "Whether players must send cookies with their requests (the CDN's signed"
                                    + " cookies, set by GET /videos/{id}): hls.js xhrSetup withCredentials,"
                                    + " crossorigin=use-credentials")
                    boolean credentials) {}

    /** The finished outputs once COMPLETE; the growing stream while the job runs; else none. */
    private static Playback playback(Video video, Function<String, String> url, boolean credentials) {
        Video.Outputs outputs = video.outputs();
        if (outputs != null && outputs.masterPlaylistKey() != null) {
            return new Playback(
                    url.apply(outputs.masterPlaylistKey()),
                    outputs.renditions().stream()
                            .map(rendition -> new Rendition(
                                    rendition.width(),
                                    rendition.height(),
                                    rendition.bitrate(),
                                    url.apply(rendition.playlistKey())))
                            .toList(),
                    outputs.thumbnailKeys().stream().map(url).toList(),
                    outputs.durationMs(),
                    credentials);
        }
        Video.Playable playable = video.playable();
        if (playable == null || video.status().isTerminal()) {
            return null;
        }
        long durationMs = video.media() == null ? 0 : video.media().durationMs();
        return new Playback(url.apply(playable.masterPlaylistKey()), List.of(), List.of(), durationMs, credentials);
    }

    @Schema(name = "Rendition")
    public record Rendition(int width, int height, long bitrate, String playlist) {}

    /**
     * @param url turns an output-bucket key into the URL players fetch it from
     * @param events the link to follow the video's events
     * @param credentials whether players fetch the outputs with cookies
     */
    public static VideoView of(Video video, Function<String, String> url, String events, boolean credentials) {
        Video.Job job = video.job();
        MediaInfo media = video.media();
        Video.Outputs outputs = video.outputs();
        Video.Playable playable = video.playable();
        return new VideoView(
                video.id(),
                video.owner(),
                video.status(),
                video.version(),
                video.attempt(),
                video.title(),
                video.source().fileName(),
                video.source().contentType(),
                video.source().sizeBytes(),
                video.limits(),
                job == null ? null : new Progress(job.percent(), job.phase()),
                video.error(),
                media == null
                        ? null
                        : new Media(
                                media.container(),
                                media.videoCodec(),
                                media.audioCodec(),
                                media.displayWidth(),
                                media.displayHeight(),
                                media.frameRate(),
                                media.durationMs()),
                playback(video, url, credentials),
                playable == null ? null : playable.at(),
                events,
                video.createdAt(),
                video.updatedAt());
    }
}
