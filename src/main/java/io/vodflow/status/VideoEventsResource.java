package io.vodflow.status;

import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vodflow.security.LinkSigner;
import io.vodflow.support.WithoutContextPropagation;
import io.vodflow.video.ReachableVideo;
import io.vodflow.video.ReachableVideoFilter;
import io.vodflow.video.VideoView;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.concurrent.Executor;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseHeader;
import org.jboss.resteasy.reactive.RestHeader;

/** Live progress of one video as Server-Sent Events. */
@Path("/videos")
@Tag(name = "Videos")
public class VideoEventsResource {

    private final VideoStreams streams;
    private final StreamsPerOwner perOwner;

    VideoEventsResource(VideoStreams streams, StreamsPerOwner perOwner) {
        this.streams = streams;
        this.perOwner = perOwner;
    }

    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @ReachableVideo(LinkSigner.Purpose.EVENTS)
    @ResponseHeader(name = "X-Accel-Buffering", value = "no")
    @ResponseHeader(name = "Cache-Control", value = "no-cache")
    @Operation(
            summary = "Follow a video live",
            description = "Server-Sent Events: first the current state, then its changes, each with the video's"
                    + " version as id and its status as event name, the video as JSON data; versions only grow,"
                    + " and one superseded before it could be sent is skipped; a comment every 15 s"
                    + " keeps the stream open; the stream ends after COMPLETE, ERROR or CANCELED, and one opened"
                    + " with the video's events link ends soon after the link expires (open it again with a fresh"
                    + " link from GET /videos/{id}).")
    @APIResponse(
            responseCode = "200",
            description = "The event stream",
            content =
                    @Content(
                            mediaType = MediaType.SERVER_SENT_EVENTS,
                            schema = @Schema(implementation = VideoView.class)))
    @Parameter(
            name = "access",
            in = ParameterIn.QUERY,
            description = "The token of the video's events link, for clients that cannot send a header")
    @APIResponse(responseCode = "401", description = "Neither a bearer token nor the video's events link")
    @APIResponse(responseCode = "403", description = "The events link expired or is another video's")
    @APIResponse(responseCode = "404", description = "No such video")
    @APIResponse(
            responseCode = "429",
            description = "The video's owner has vodflow.status.streams-per-owner streams open on this server")
    public Multi<Void> events(
            @PathParam("id") String id,
            @Parameter(description = "Resume after this event id: changes up to it are not sent again")
                    @RestHeader("Last-Event-ID")
                    String lastEventId,
            @Context RoutingContext routing) {
        if (!counted(routing)) {
            return Multi.createFrom().empty();
        }
        // A link's holder follows the video for the link's lifetime, not for as long as it stays in flight
        // (hours for an upload that never comes), with the fresh playback links each event carries.
        return stream(id, parseVersion(lastEventId), ReachableVideoFilter.linkExpiry(routing), routing);
    }

    private Multi<Void> stream(String id, long after, Instant until, RoutingContext routing) {
        HttpServerResponse response = routing.response();
        io.vertx.core.Context connection = Vertx.currentContext();
        Executor onConnection =
                connection == null ? Runnable::run : task -> connection.runOnContext(ignored -> task.run());
        // Thousands may follow one video: their streams carry no thread context, which they do not use.
        // RESTEasy sends the headers before the stream starts and ends the response when it completes;
        // the stream writes its events itself, without waiting for each write (no handler: no promise).
        return WithoutContextPropagation.multi(
                () -> streams.open(id, after, until, onConnection, frame -> response.write(frame, null)));
    }

    /**
     * Counts the stream against its video's owner until its response ends, however it ends: completed,
     * failed, or the client gone. False when the response closed before (its client left while its
     * video was read): it has called its end handlers already, and is no stream at all.
     */
    private boolean counted(RoutingContext routing) {
        Runnable leave = perOwner.admit(ReachableVideoFilter.reached(routing).owner());
        if (routing.response().closed()) {
            leave.run();
            return false;
        }
        routing.addEndHandler(ended -> leave.run());
        return true;
    }

    private static long parseVersion(String lastEventId) {
        try {
            return lastEventId == null ? 0 : Long.parseLong(lastEventId.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
