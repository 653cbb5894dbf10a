package io.vodflow.upload;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vodflow.security.Callers;
import io.vodflow.video.VideoView;
import io.vodflow.video.VideoViews;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/** Creating a video and getting its file into storage. */
@Authenticated
@Path("/videos")
@Tag(name = "Upload")
@Produces(MediaType.APPLICATION_JSON)
public class UploadResource {

    private final UploadService uploads;
    private final VideoViews views;
    private final Callers callers;

    UploadResource(UploadService uploads, VideoViews views, Callers callers) {
        this.uploads = uploads;
        this.views = views;
        this.callers = callers;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Create a video",
            description = "Returns presigned URLs to upload the file straight to storage: one PUT, or one per part"
                    + " above the multipart threshold.")
    @APIResponse(responseCode = "201", description = "Created; upload the file as the instructions say")
    @APIResponse(responseCode = "400", description = "A field is missing or invalid")
    @APIResponse(responseCode = "413", description = "The declared size is over the maximum")
    public Uni<RestResponse<UploadService.CreatedVideo>> create(
            @Valid @NotNull(message = "The request body is required") CreateVideoRequest request) {
        return callers.current()
                .flatMap(caller -> uploads.create(caller, request))
                .map(created -> RestResponse.ResponseBuilder.<UploadService.CreatedVideo>created(
                                URI.create("/videos/" + created.id()))
                        .entity(created)
                        .build());
    }

    @POST
    @Path("/{id}/upload/complete")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Complete a multipart upload", description = "Send every part's ETag once all parts are up.")
    @APIResponse(responseCode = "200", description = "Completed; the video is processed next")
    @APIResponse(responseCode = "400", description = "The part list is incomplete or does not match what S3 stored")
    @APIResponse(responseCode = "404", description = "No such video")
    @APIResponse(responseCode = "409", description = "Not a multipart upload, or already completed or aborted")
    public Uni<VideoView> complete(@PathParam("id") String id, CompleteUploadRequest request) {
        return callers.current()
                .flatMap(caller -> uploads.complete(caller, id, request))
                .map(views::of);
    }

    @DELETE
    @Path("/{id}/upload")
    @Operation(summary = "Abort an upload", description = "The video ends CANCELED; uploaded parts are discarded.")
    @APIResponse(responseCode = "204", description = "Aborted")
    @APIResponse(responseCode = "404", description = "No such video")
    @APIResponse(responseCode = "409", description = "The upload already arrived or was aborted")
    public Uni<Void> abort(@PathParam("id") String id) {
        return callers.current().flatMap(caller -> uploads.abort(caller, id));
    }
}
