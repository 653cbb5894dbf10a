package io.vodflow.upload;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.vodflow.security.Callers;
import io.vodflow.security.LinkSigner;
import io.vodflow.video.ReachableVideo;
import io.vodflow.video.ReachableVideoFilter;
import io.vodflow.video.VideoView;
import io.vodflow.video.VideoViews;
import jakarta.annotation.security.PermitAll;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/** Creating a video and getting its file into storage. */
@Authenticated
@Path("/videos")
@Tag(name = "Upload")
@Produces(MediaType.APPLICATION_JSON)
public class UploadResource {

    // What the three endpoints an upload's signed links open say of them alike.
    private static final String ACCESS = "The token of the upload's signed link";
    private static final String NO_ACCESS = "Neither a bearer token nor the upload's link";
    private static final String WRONG_LINK = "The upload's link expired, is another video's, or opens another action";

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
    @PermitAll
    @ReachableVideo(LinkSigner.Purpose.UPLOAD_COMPLETE)
    @Operation(
            summary = "Complete a multipart upload",
            description = "Send every part's ETag once all parts are up, to the upload's completeUrl (its signed"
                    + " link opens it without a token, since parts may go up for longer than a token lasts) or"
                    + " with a bearer token.")
    @Parameter(name = "access", in = ParameterIn.QUERY, description = ACCESS)
    @APIResponse(
            responseCode = "200",
            description = "Completed; the video is processed next. Completed through the signed link, the"
                    + " video comes without its events link: the upload's links open the upload only")
    @APIResponse(responseCode = "400", description = "The part list is incomplete or does not match what S3 stored")
    @APIResponse(responseCode = "401", description = NO_ACCESS)
    @APIResponse(responseCode = "403", description = WRONG_LINK)
    @APIResponse(responseCode = "404", description = "No such video")
    @APIResponse(responseCode = "409", description = "Not a multipart upload, or already completed or aborted")
    public Uni<VideoView> complete(
            @PathParam("id") String id, CompleteUploadRequest request, @Context RoutingContext routing) {
        // The upload's links may be handed to another uploader than the owner: they open the upload,
        // not a way to watch the video (its events, then its playback).
        return uploads.complete(ReachableVideoFilter.reached(routing), request)
                .map(video -> ReachableVideoFilter.linkExpiry(routing) == null
                        ? views.of(video)
                        : views.withoutEvents(video));
    }

    @POST
    @Path("/{id}/upload/parts")
    @PermitAll
    @ReachableVideo(LinkSigner.Purpose.UPLOAD_PARTS)
    @Operation(
            summary = "Sign a multipart upload's parts again",
            description = "Fresh part URLs, for an upload that outlasts the temporary credentials its URLs were"
                    + " signed with. They expire no later than the first ones: an upload must arrive within the"
                    + " longest upload URL lifetime of its creation. The upload's partsUrl (a signed link) opens it"
                    + " without a token, or send a bearer token.")
    @Parameter(name = "access", in = ParameterIn.QUERY, description = ACCESS)
    @APIResponse(responseCode = "200", description = "The upload's instructions, every part signed again")
    @APIResponse(responseCode = "401", description = NO_ACCESS)
    @APIResponse(responseCode = "403", description = WRONG_LINK)
    @APIResponse(responseCode = "404", description = "No such video")
    @APIResponse(
            responseCode = "409",
            description = "Not a multipart upload, already completed or aborted, or its time ran out (or does in"
                    + " the next two seconds)")
    public Uni<UploadInstructions> renewParts(@PathParam("id") String id, @Context RoutingContext routing) {
        return uploads.renewParts(ReachableVideoFilter.reached(routing));
    }

    @DELETE
    @Path("/{id}/upload")
    @PermitAll
    @ReachableVideo(LinkSigner.Purpose.UPLOAD_ABORT)
    @Operation(
            summary = "Abort an upload",
            description = "The video ends CANCELED; uploaded parts are discarded. The upload's abortUrl (a signed"
                    + " link) opens it without a token, or send a bearer token.")
    @Parameter(name = "access", in = ParameterIn.QUERY, description = ACCESS)
    @APIResponse(responseCode = "204", description = "Aborted")
    @APIResponse(responseCode = "401", description = NO_ACCESS)
    @APIResponse(responseCode = "403", description = WRONG_LINK)
    @APIResponse(responseCode = "404", description = "No such video")
    @APIResponse(
            responseCode = "409",
            description = "The upload already arrived (its file is in storage, whatever the uploader heard) or was"
                    + " aborted")
    public Uni<Void> abort(@PathParam("id") String id, @Context RoutingContext routing) {
        return uploads.abort(ReachableVideoFilter.reached(routing));
    }
}
