package io.vodflow.status;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.mutiny.core.Vertx;
import io.vodflow.config.VodflowConfig;
import io.vodflow.video.ExistingVideo;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoView;
import io.vodflow.video.VideoViews;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseHeader;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** Live progress of one video as Server-Sent Events. */
@Path("/videos")
@Tag(name = "Videos")
public class VideoEventsResource {

    private final VideoRepository videos;
    private final VideoBroadcaster broadcaster;
    private final VideoViews views;
    private final Vertx vertx;
    private final long heartbeatMillis;

    VideoEventsResource(
            VideoRepository videos, VideoBroadcaster broadcaster, VideoViews views, Vertx vertx, VodflowConfig config) {
        this.videos = videos;
        this.broadcaster = broadcaster;
        this.views = views;
        this.vertx = vertx;
        this.heartbeatMillis = config.status().heartbeatInterval().toMillis();
    }

    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @ExistingVideo
    @ResponseHeader(name = "X-Accel-Buffering", value = "no")
    @ResponseHeader(name = "Cache-Control", value = "no-cache")
    @Operation(
            summary = "Follow a video live",
            description = "Server-Sent Events: first the current state, then every change, each with the video's"
                    + " version as id and its status as event name, the video as JSON data; a comment every 15 s"
                    + " keeps the stream open; the stream ends after COMPLETE, ERROR or CANCELED.")
    @APIResponse(
            responseCode = "200",
            description = "The event stream",
            content =
                    @Content(
                            mediaType = MediaType.SERVER_SENT_EVENTS,
                            schema = @Schema(implementation = VideoView.class)))
    @APIResponse(responseCode = "404", description = "No such video")
    public Multi<OutboundSseEvent> events(
            @PathParam("id") String id,
            @Parameter(description = "Resume after this event id: changes up to it are not sent again")
                    @RestHeader("Last-Event-ID")
                    String lastEventId,
            @Context Sse sse) {
        long after = parseVersion(lastEventId);
        return Multi.createFrom().emitter(emitter -> follow(id, after, sse, emitter));
    }

    /**
     * Subscribes to changes first, then reads the current state, so that no change falls between the
     * two; every version is sent once, in order, whichever way it arrives.
     */
    private void follow(String id, long after, Sse sse, MultiEmitter<? super OutboundSseEvent> emitter) {
        Object lock = new Object();
        long[] lastSent = {after};
        AtomicBoolean ended = new AtomicBoolean();
        Consumer<Video> deliver = video -> {
            synchronized (lock) {
                if (ended.get() || video.version() <= lastSent[0]) {
                    return;
                }
                lastSent[0] = video.version();
                emitter.emit(event(sse, video));
                if (video.status().isTerminal() && ended.compareAndSet(false, true)) {
                    emitter.complete();
                }
            }
        };
        Cancellable live = broadcaster.changes(id).subscribe().with(deliver, emitter::fail);
        long heartbeat = vertx.setPeriodic(heartbeatMillis, tick -> {
            synchronized (lock) {
                if (!ended.get()) {
                    emitter.emit(sse.newEventBuilder().comment("heartbeat").build());
                }
            }
        });
        emitter.onTermination(() -> {
            ended.set(true);
            live.cancel();
            vertx.cancelTimer(heartbeat);
        });
        videos.find(id)
                .subscribe()
                .with(
                        current -> {
                            boolean endedBefore =
                                    current == null || (current.status().isTerminal() && current.version() <= after);
                            if (endedBefore && ended.compareAndSet(false, true)) {
                                emitter.complete();
                            } else if (current != null) {
                                deliver.accept(current);
                            }
                        },
                        emitter::fail);
    }

    private OutboundSseEvent event(Sse sse, Video video) {
        return sse.newEventBuilder()
                .id(Long.toString(video.version()))
                .name(video.status().name())
                .data(VideoView.class, views.of(video))
                .build();
    }

    private static long parseVersion(String lastEventId) {
        try {
            return lastEventId == null ? 0 : Long.parseLong(lastEventId.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
