package io.vodflow.status;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.core.Vertx;
import io.vodflow.config.VodflowConfig;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * This replica's open Server-Sent Events streams, each following one video: its stored state, then
 * every change, each version once and in order (a version superseded before its turn to be written
 * is skipped), ending after a terminal status, when the video is deleted, or at the first heartbeat
 * after the events link that opened it expires. Thousands may follow one
 * video, so a stream is one small object, fed by the broadcaster and written on its connection's
 * event loop, and one timer sends the heartbeats of all of them. A stream writes its frames to the
 * connection itself, the same bytes as every other follower of the video's: formatting each event
 * again for each subscriber, as RESTEasy does with JAX-RS events, was the largest part of vodflow's
 * own work per subscriber.
 */
@ApplicationScoped
class VideoStreams {

    /** How long a stream stays open after its terminal event: longer than that event takes to reach 10,000 streams. */
    private static final long END_DELAY_MILLIS = 2_000;

    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    private final VideoRepository videos;
    private final VideoBroadcaster broadcaster;
    private final VideoSseEvents events;
    private final Vertx vertx;
    private final VodflowConfig config;
    private final MeterRegistry metrics;
    private final Gauge openGauge;
    private long timer = -1;

    VideoStreams(
            VideoRepository videos,
            VideoBroadcaster broadcaster,
            VideoSseEvents events,
            Vertx vertx,
            VodflowConfig config,
            MeterRegistry metrics) {
        this.videos = videos;
        this.broadcaster = broadcaster;
        this.events = events;
        this.vertx = vertx;
        this.config = config;
        this.metrics = metrics;
        this.openGauge = Gauge.builder("vodflow.sse.subscribers", open, Set::size)
                .description("Server-Sent Events streams open on this replica")
                .strongReference(true)
                .register(metrics);
    }

    void start(@Observes StartupEvent event) {
        // A comment now and then keeps proxies from closing a quiet stream.
        timer = vertx.setPeriodic(config.status().heartbeatInterval().toMillis(), ignored -> {
            Instant now = Instant.now();
            open.forEach(stream -> stream.heartbeat(now));
        });
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        open.forEach(Stream::end);
        // The registry can outlive this application (tests restart it in one JVM): a gauge left
        // behind would keep reporting this application's count instead of the next one's.
        metrics.remove(openGauge);
    }

    /**
     * @param after the last version the subscriber has; only later ones are sent
     * @param until when the stream ends at the latest (at the first heartbeat after it), or null
     * @param connection runs the stream's work on its connection's event loop
     * @param out writes a frame to the connection, on its event loop
     * @return the stream's life: it completes at the stream's end, right away for a video that does not
     *     exist or that ended at or before {@code after}, and fails if a version cannot be rendered
     */
    Multi<Void> open(String id, long after, Instant until, Executor connection, Consumer<Buffer> out) {
        return Multi.createFrom().emitter(emitter -> {
            Stream stream = new Stream(emitter, connection, out, after, until);
            emitter.onTermination(stream::close);
            if (emitter.isCancelled()) {
                return; // before its end was watched
            }
            // Following the changes before reading the stored state: no change falls between the two.
            stream.follow(id);
            videos.find(id)
                    .subscribe()
                    .with(
                            current -> connection.execute(() -> stream.stored(current)),
                            failure -> connection.execute(() -> stream.fail(failure)));
        });
    }

    /**
     * One subscriber's stream. Its work runs on its connection's event loop; it is synchronized as
     * well, for the streams of callers without one.
     */
    private final class Stream implements VideoBroadcaster.Follower {

        private final MultiEmitter<? super Void> emitter;
        private final Executor connection;
        private final Consumer<Buffer> out;
        private long lastSent;
        /** The subscriber's Last-Event-ID, or 0. */
        private final long after;
        /** When the stream ends at the latest, or null. */
        private final Instant until;

        private Video pending;
        private boolean ended;
        private Runnable unfollow;

        Stream(
                MultiEmitter<? super Void> emitter,
                Executor connection,
                Consumer<Buffer> out,
                long after,
                Instant until) {
            this.emitter = emitter;
            this.connection = connection;
            this.out = out;
            this.lastSent = after;
            this.after = after;
            this.until = until;
        }

        /** Unless the subscriber left already. */
        synchronized void follow(String id) {
            if (!ended) {
                open.add(this);
                unfollow = broadcaster.follow(id, this);
            }
        }

        /**
         * A change, sent on the connection's event loop. A change that comes while the previous one
         * still waits there replaces it: the subscriber gets the newest state without the one it
         * supersedes, and a burst of changes costs one write, not one behind the other.
         */
        @Override
        public synchronized void changed(Video video) {
            if (ended || (pending != null && video.version() <= pending.version())) {
                return;
            }
            boolean scheduled = pending != null;
            pending = video;
            if (!scheduled) {
                connection.execute(this::sendPending);
            }
        }

        /** Ends the stream, as a video being deleted does, on the connection's event loop. */
        @Override
        public void gone() {
            connection.execute(this::end);
        }

        private synchronized void sendPending() {
            Video video = pending;
            pending = null;
            send(video);
        }

        /** The stored state (null when there is none), or the end when there is nothing to follow. */
        synchronized void stored(Video current) {
            if (current != null && lastSent == after && after > current.version()) {
                // A Last-Event-ID that no event of this video carried (and nothing sent since): the
                // stream starts from the stored state rather than skip every change up to a version
                // the video may never reach.
                lastSent = 0;
            }
            if (current == null
                    || current.isDeleting()
                    || (current.status().isTerminal() && current.version() <= lastSent)) {
                end();
            } else {
                send(current);
            }
        }

        /** A version newer than the last one sent; a terminal one is the last, a video being deleted ends at once. */
        synchronized void send(Video video) {
            if (ended || video.version() <= lastSent) {
                return;
            }
            lastSent = video.version();
            if (video.isDeleting()) {
                end();
                return;
            }
            Buffer frame;
            try {
                frame = events.of(video);
            } catch (UncheckedIOException e) {
                fail(e); // ends the stream: the client reconnects and resumes after its last event
                return;
            }
            out.accept(frame);
            if (video.status().isTerminal()) {
                // Ended once the change has reached the video's other streams, on every event loop: a
                // stream's end costs more than its event, and would hold theirs back. A page closes its
                // EventSource on a terminal event, and its stream then has nothing left to end.
                vertx.setTimer(END_DELAY_MILLIS, ignored -> connection.execute(this::end));
            }
        }

        /** A heartbeat comment, or the stream's end once it is past {@code until}. */
        void heartbeat(Instant now) {
            connection.execute(() -> {
                synchronized (this) {
                    if (until != null && !now.isBefore(until)) {
                        end();
                    } else if (!ended) {
                        out.accept(VideoSseEvents.HEARTBEAT);
                    }
                }
            });
        }

        synchronized void fail(Throwable failure) {
            if (!ended) {
                ended = true;
                emitter.fail(failure);
            }
        }

        synchronized void end() {
            if (!ended) {
                ended = true;
                emitter.complete();
            }
        }

        /** When the stream ends or its subscriber leaves. */
        synchronized void close() {
            ended = true;
            open.remove(this);
            if (unfollow != null) {
                unfollow.run();
                unfollow = null;
            }
        }
    }
}
