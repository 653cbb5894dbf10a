package io.vodflow.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vodflow.video.Video;
import io.vodflow.video.VideoViews;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A video version as a Server-Sent Event: its version as id, its status as name, its view as JSON.
 * A change reaches every subscriber of the video at once; it is rendered (links signed, JSON written)
 * for the first of them and shared with the others, while its links are fresh.
 */
@ApplicationScoped
class VideoSseEvents {

    /** Far shorter than any link's lifetime; far longer than one change takes to reach its subscribers. */
    private static final long FRESH_NANOS = Duration.ofSeconds(5).toNanos();
    /** Past this many videos, renderings no longer fresh are dropped. */
    private static final int KEPT = 1_000;

    private record Rendered(long version, long at, OutboundSseEvent event) {

        /** Whether this is the rendering of that version, with links still fresh. */
        boolean of(Video video, long now) {
            return version == video.version() && now - at < FRESH_NANOS;
        }
    }

    private final VideoViews views;
    private final ObjectMapper json;
    private final Map<String, Rendered> latest = new ConcurrentHashMap<>();

    VideoSseEvents(VideoViews views, ObjectMapper json) {
        this.views = views;
        this.json = json;
    }

    OutboundSseEvent of(Sse sse, Video video) {
        long now = System.nanoTime();
        // Read without a lock first: every subscriber's event loop asks for the same rendering at once.
        Rendered shared = latest.get(video.id());
        if (shared != null && shared.of(video, now)) {
            return shared.event();
        }
        Rendered rendered = latest.compute(
                video.id(),
                (id, before) -> before != null && before.of(video, now)
                        ? before
                        : new Rendered(video.version(), now, render(sse, video)));
        if (latest.size() > KEPT) {
            latest.values().removeIf(stale -> now - stale.at() >= FRESH_NANOS);
        }
        return rendered.event();
    }

    private OutboundSseEvent render(Sse sse, Video video) {
        try {
            return sse.newEventBuilder()
                    .id(Long.toString(video.version()))
                    .name(video.status().name())
                    .mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(String.class, json.writeValueAsString(views.of(video)))
                    .build();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
