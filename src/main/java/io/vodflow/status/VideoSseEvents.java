package io.vodflow.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vodflow.video.Video;
import io.vodflow.video.VideoViews;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A video version as a Server-Sent Events frame: its version as id, its status as event name, its
 * view as JSON data. A change reaches every subscriber of the video at once; it is rendered (links
 * signed, JSON written, the frame encoded) for the first of them and the same bytes are written to
 * the others, while its links are fresh.
 */
@ApplicationScoped
class VideoSseEvents {

    /** The comment that keeps a quiet stream open. */
    static final Buffer HEARTBEAT = frame(":heartbeat\n\n");

    /** Far shorter than any link's lifetime; far longer than one change takes to reach its subscribers. */
    private static final long FRESH_NANOS = Duration.ofSeconds(5).toNanos();
    /** Past this many videos, renderings no longer fresh are dropped. */
    private static final int KEPT = 1_000;

    private record Rendered(long version, long at, Buffer frame) {

        /** Whether this is the rendering of that version, with links still fresh. */
        boolean of(Video video, long now) {
            return version == video.version() && now - at < FRESH_NANOS;
        }
    }

    private final VideoViews views;
    /** One line of JSON whatever the application's mapper indents: an SSE data line ends at a newline. */
    private final ObjectWriter json;

    private final Map<String, Rendered> latest = new ConcurrentHashMap<>();

    VideoSseEvents(VideoViews views, ObjectMapper json) {
        this.views = views;
        this.json = json.writer().without(SerializationFeature.INDENT_OUTPUT);
    }

    /** The frame of this version, shared: write it, never change it. */
    Buffer of(Video video) {
        long now = System.nanoTime();
        // Read without a lock first: every subscriber's event loop asks for the same rendering at once.
        Rendered shared = latest.get(video.id());
        if (shared != null && shared.of(video, now)) {
            return shared.frame();
        }
        Rendered rendered = latest.compute(
                video.id(),
                (id, before) -> before != null && before.of(video, now)
                        ? before
                        : new Rendered(video.version(), now, render(video)));
        if (latest.size() > KEPT) {
            latest.values().removeIf(stale -> now - stale.at() >= FRESH_NANOS);
        }
        return rendered.frame();
    }

    private Buffer render(Video video) {
        try {
            return frame("id:" + video.version() + "\nevent:" + video.status().name() + "\ndata:"
                    + json.writeValueAsString(views.ofEvent(video)) + "\n\n");
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Bytes outside the heap, so that writing them to each of thousands of sockets copies nothing; the
     * garbage collector frees them with the last reference.
     */
    private static Buffer frame(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return Buffer.buffer(Unpooled.wrappedBuffer(
                ByteBuffer.allocateDirect(bytes.length).put(bytes).flip()));
    }
}
