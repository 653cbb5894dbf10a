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
        this.limits = new UploadLimits(
                config.upload().maxSize().asLongValue(),
                List.copyOf(config.upload().allowedContentTypes()));
    }

    /** What POST /videos accepts. */
    @Schema(name = "UploadLimits")
    public record UploadLimits(
            @Schema(description = "Largest sizeBytes accepted", example = "10737418240") long maxSizeBytes,
            @Schema(description = "Accepted content types; type/* accepts every subtype", example = "[\"video/*\"]")
                    List<String> allowedContentTypes) {}

    @GET
    @NonBlocking // answers from memory, no need for a worker thread
    @Operation(
            summary = "Get the upload limits",
            description = "The largest file and the content types that creating a video accepts.")
    @APIResponse(responseCode = "200", description = "The limits")
    public UploadLimits get() {
        return limits;
    }
}
