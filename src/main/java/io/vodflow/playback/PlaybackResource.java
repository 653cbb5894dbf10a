package io.vodflow.playback;

import io.quarkus.security.UnauthorizedException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * Serves a video's HLS renditions and thumbnails, when vodflow rather than a CDN serves them, to
 * whoever holds the video's signed playback token: players send no bearer token.
 */
@Path("/videos/{id}")
@Tag(name = "Playback")
public class PlaybackResource {

    private static final String OUTPUT = "/play/{token}/{group:hls|thumbnails}/{file}";

    private final PlaybackService playback;

    PlaybackResource(PlaybackService playback) {
        this.playback = playback;
    }

    @GET
    @Path(OUTPUT)
    @Operation(summary = "Get an HLS playlist or segment, or a thumbnail")
    @APIResponse(responseCode = "200", description = "The file")
    @APIResponse(responseCode = "206", description = "The requested range of the file")
    @APIResponse(responseCode = "304", description = "The client's copy is current")
    @APIResponse(responseCode = "403", description = "The token expired, was altered, or is another video's")
    @APIResponse(responseCode = "404", description = "No such file")
    @APIResponse(responseCode = "416", description = "The range is outside the file")
    public Multi<Buffer> output(@BeanParam OutputRequest request) {
        return send(playback.open(request));
    }

    /** The same answer's headers, with the file's length, read from storage's metadata alone. */
    @HEAD
    @Path(OUTPUT)
    @Operation(summary = "Get the headers of an HLS playlist or segment, or of a thumbnail, with its length")
    @APIResponse(responseCode = "200", description = "The file's headers")
    @APIResponse(responseCode = "206", description = "The headers of the requested range of the file")
    @APIResponse(responseCode = "304", description = "The client's copy is current")
    @APIResponse(responseCode = "403", description = "The token expired, was altered, or is another video's")
    @APIResponse(responseCode = "404", description = "No such file")
    @APIResponse(responseCode = "416", description = "The range is outside the file")
    public Multi<Buffer> outputHeaders(@BeanParam OutputRequest request) {
        return send(playback.describe(request));
    }

    private static Multi<Buffer> send(Uni<PlaybackService.Output> output) {
        return RestMulti.fromUniResponse(
                output, PlaybackService.Output::body, PlaybackService.Output::headers, PlaybackService.Output::status);
    }

    /** An output asked for without a link: the caller needs one, from the video. */
    @GET
    @Path("/{group:hls|thumbnails}/{file}")
    @Operation(summary = "Refuse an output asked for without its signed link")
    @APIResponse(responseCode = "401", description = "Playback needs the signed links of GET /videos/{id}")
    public Uni<Void> unsigned() {
        return Uni.createFrom().failure(UnauthorizedException::new);
    }
}
