package io.vodflow.upload;

import io.smallrye.common.annotation.NonBlocking;
import io.vodflow.config.VodflowConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
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
@Path("/videos/limits")
@Tag(name = "Upload")
@Produces(MediaType.APPLICATION_JSON)
public class UploadLimitsResource {

    private final UploadLimits limits;

    UploadLimitsResource(VodflowConfig config) {
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
                        ceilings.maxBitrate()));
    }

    /** What POST /videos accepts. */
    @Schema(name = "UploadLimits")
    public record UploadLimits(
            @Schema(description = "Largest sizeBytes accepted", example = "10737418240") long maxSizeBytes,
            @Schema(description = "Accepted content types; type/* accepts every subtype", example = "[\"video/*\"]")
                    List<String> allowedContentTypes,
            @Schema(description = "What the uploaded media may be; a source beyond any of these ends in ERROR")
                    MediaLimits media) {}

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
    @NonBlocking // answers from memory, no need for a worker thread
    @Operation(
            summary = "Get the upload limits",
            description = "The largest file and the content types that creating a video accepts, and the"
                    + " ceilings on the media inside it.")
    @APIResponse(responseCode = "200", description = "The limits")
    public UploadLimits get() {
        return limits;
    }
}
