package io.vodflow.upload;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.security.Callers;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The upload rules a client can check before creating a video, so that a file the API would refuse
 * is turned away on the client without a failed request. The literal path wins over
 * {@code /videos/{id}}.
 */
@Authenticated
@Path("/videos/limits")
@Tag(name = "Upload")
@Produces(MediaType.APPLICATION_JSON)
public class UploadLimitsResource {

    private final UploadLimits limits;
    private final VodflowConfig.Quotas quotaLimits;
    private final Quotas quotas;
    private final Callers callers;

    UploadLimitsResource(VodflowConfig config, Quotas quotas, Callers callers) {
        this.quotaLimits = config.quotas();
        this.quotas = quotas;
        this.callers = callers;
        VodflowConfig.Ceilings ceilings = config.ceilings();
        this.limits = new UploadLimits(
                config.upload().maxSize().asLongValue(),
                List.copyOf(config.upload().allowedContentTypes()),
                new MediaLimits(
                        ceilings.maxWidth(),
                        ceilings.maxHeight(),
                        ceilings.maxPixels(),
                        ceilings.maxDuration().toSeconds(),
                        ceilings.maxFrameRate(),
                        ceilings.maxStreams(),
                        ceilings.maxBitrate()),
                null);
    }

    /** What POST /videos accepts. */
    @Schema(name = "UploadLimits")
    public record UploadLimits(
            @Schema(description = "Largest sizeBytes accepted", example = "10737418240") long maxSizeBytes,
            @Schema(description = "Accepted content types; type/* accepts every subtype", example = "[\"video/*\"]")
                    List<String> allowedContentTypes,
            @Schema(description = "What the uploaded media may be; a source beyond any of these ends in ERROR")
                    MediaLimits media,
            @Schema(description = "What you may start, and how much of it you used") YourQuotas quotas) {}

    /** The caller's quotas; over one, creating a video answers 429 with Retry-After. */
    @Schema(name = "Quotas")
    public record YourQuotas(
            @Schema(description = "Videos not yet COMPLETE, ERROR or CANCELED") Quota videosInFlight,
            @Schema(description = "Bytes declared today (UTC)") Quota bytesPerDay,
            @Schema(description = "Videos created this minute") Quota creationsPerMinute) {}

    @Schema(name = "Quota")
    public record Quota(long limit, long used) {}

    /** The ceilings on the media inside an upload, checked before any transcoding. */
    @Schema(name = "MediaLimits")
    public record MediaLimits(
            @Schema(description = "Widest picture, in pixels") int maxWidth,
            @Schema(description = "Tallest picture, in pixels") int maxHeight,
            @Schema(description = "Most pixels a frame") long maxPixels,
            @Schema(description = "Longest source, in seconds") long maxDurationSeconds,
            @Schema(description = "Highest frame rate, in frames per second") double maxFrameRate,
            @Schema(description = "Most streams in one file") int maxStreams,
            @Schema(description = "Highest overall bitrate, in bits per second") long maxBitrate) {}

    @GET
    @Operation(
            summary = "Get the upload limits",
            description = "The largest file and the content types that creating a video accepts, and the"
                    + " ceilings on the media inside it.")
    @APIResponse(responseCode = "200", description = "The limits")
    public Uni<UploadLimits> get() {
        return callers.current()
                .flatMap(caller -> quotas.usage(caller, Instant.now()))
                .map(usage -> new UploadLimits(
                        limits.maxSizeBytes(),
                        limits.allowedContentTypes(),
                        limits.media(),
                        new YourQuotas(
                                new Quota(quotaLimits.videosInFlight(), usage.videosInFlight()),
                                new Quota(quotaLimits.bytesPerDay().asLongValue(), usage.bytesToday()),
                                new Quota(quotaLimits.creationsPerMinute(), usage.creationsThisMinute()))));
    }
}
