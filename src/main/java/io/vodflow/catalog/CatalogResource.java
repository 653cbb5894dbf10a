package io.vodflow.catalog;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vodflow.security.Callers;
import io.vodflow.security.CdnCookies;
import io.vodflow.support.Offload;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoView;
import io.vodflow.video.VideoViews;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/** Reading, listing and deleting videos. */
@Authenticated
@Path("/videos")
@Tag(name = "Videos")
@Produces(MediaType.APPLICATION_JSON)
public class CatalogResource {

    private final CatalogService videos;
    private final VideoRepository repository;
    private final VideoViews views;
    private final Callers callers;
    private final CdnCookies cdnCookies;

    CatalogResource(
            CatalogService videos,
            VideoRepository repository,
            VideoViews views,
            Callers callers,
            CdnCookies cdnCookies) {
        this.videos = videos;
        this.repository = repository;
        this.views = views;
        this.callers = callers;
        this.cdnCookies = cdnCookies;
    }

    /** One page of videos, newest first. */
    @Schema(name = "VideoPage")
    public record VideoPage(
            List<VideoView> items,
            @Schema(description = "Pass as cursor to get the next page; absent on the last page") String nextCursor) {}

    @GET
    @Path("/{id}")
    @Operation(summary = "Get a video")
    @APIResponse(responseCode = "200", description = "The video")
    @APIResponse(responseCode = "404", description = "No such video")
    public Uni<RestResponse<VideoView>> get(@PathParam("id") String id) {
        return callers.current().flatMap(caller -> repository.get(id, caller)).flatMap(video -> cookies(video.id())
                .map(cookies -> {
                    RestResponse.ResponseBuilder<VideoView> response = RestResponse.ResponseBuilder.ok(views.of(video));
                    cookies.forEach(cookie -> response.header("Set-Cookie", cookie));
                    return response.build();
                }));
    }

    /**
     * With a signing CDN, reading a video is what opens its outputs there: the cookies carry an RSA
     * signature, made on a worker rather than the thread the table's answer came on.
     */
    private Uni<List<String>> cookies(String videoId) {
        return cdnCookies.enabled()
                ? Offload.of(() -> cdnCookies.forVideo(videoId, Instant.now()))
                : Uni.createFrom().item(List.of());
    }

    @GET
    @Operation(summary = "List your videos, newest first")
    @APIResponse(responseCode = "200", description = "A page of videos")
    @APIResponse(responseCode = "400", description = "Invalid limit or cursor, or all without the administrator role")
    public Uni<VideoPage> list(
            @Parameter(description = "Page size, 1 to 100 (default 20)") @QueryParam("limit") String limit,
            @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") String cursor,
            @Parameter(description = "Administrators only: every user's videos") @QueryParam("all") boolean all) {
        return callers.current()
                .flatMap(caller -> videos.list(caller, limit, cursor, all))
                .map(page -> new VideoPage(page.videos().stream().map(views::of).toList(), page.nextCursor()));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a video", description = "Removes the record, the uploaded source and every output.")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "No such video")
    public Uni<Void> delete(@PathParam("id") String id) {
        return callers.current().flatMap(caller -> videos.delete(caller, id));
    }
}
