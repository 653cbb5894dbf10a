package io.vodflow.playback;

import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.core.buffer.Buffer;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestMulti;

/** Serves a video's HLS renditions and thumbnails, when vodflow rather than a CDN serves them. */
@Path("/videos/{id}")
@Tag(name = "Playback")
public class PlaybackResource {

    private final PlaybackService playback;

    PlaybackResource(PlaybackService playback) {
        this.playback = playback;
    }

    @GET
    @Path("/{group:hls|thumbnails}/{file}")
    @Operation(summary = "Get an HLS playlist or segment, or a thumbnail")
    @APIResponse(responseCode = "200", description = "The file")
    @APIResponse(responseCode = "206", description = "The requested range of the file")
    @APIResponse(responseCode = "304", description = "The client's copy is current")
    @APIResponse(responseCode = "404", description = "No such file")
    public Multi<Buffer> output(
            @PathParam("id") String id,
            @PathParam("group") String group,
            @PathParam("file") String file,
            @RestHeader("Range") String range,
            @RestHeader("If-None-Match") String ifNoneMatch) {
        return RestMulti.fromUniResponse(
                playback.open(id, group, file, range, ifNoneMatch),
                PlaybackService.Output::body,
                PlaybackService.Output::headers,
                PlaybackService.Output::status);
    }
}
