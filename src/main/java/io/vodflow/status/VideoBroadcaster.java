package io.vodflow.status;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.smallrye.mutiny.operators.multi.processors.SerializedProcessor;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.core.Vertx;
import io.vodflow.config.VodflowConfig;
import io.vodflow.video.Video;
import io.vodflow.video.VideoChanged;
import io.vodflow.video.VideoRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * One stream of video changes per replica, fanned out to any number of subscribers. Changes applied
 * here are published at once; changes applied by other replicas are found by a periodic batched read
 * of the videos someone subscribed to, so that a client may connect to any replica.
 */
@ApplicationScoped
public class VideoBroadcaster {

    private static final Logger LOG = Logger.getLogger(VideoBroadcaster.class);

    /** Hot: a subscriber sees the changes published after it subscribed. */
    private final BroadcastProcessor<Video> changes = BroadcastProcessor.create();
    /** Feeds {@link #changes} from any thread, one item at a time as Reactive Streams require. */
    private final SerializedProcessor<Video, Video> input = changes.serialized();
    /** Subscribers per video id. */
    private final Map<String, AtomicInteger> subscribers = new ConcurrentHashMap<>();
    /** The last version published per subscribed video, so that each version is published once. */
    private final Map<String, Long> published = new ConcurrentHashMap<>();

    private final VideoRepository videos;
    private final Vertx vertx;
    private final VodflowConfig config;
    private final AtomicBoolean catchingUp = new AtomicBoolean();
    private final AtomicInteger subscriberCount = new AtomicInteger();
    private final MeterRegistry metrics;
    private final Gauge subscriberGauge;
    private long timer = -1;

    VideoBroadcaster(VideoRepository videos, Vertx vertx, VodflowConfig config, MeterRegistry metrics) {
        this.videos = videos;
        this.vertx = vertx;
        this.config = config;
        this.metrics = metrics;
        this.subscriberGauge = Gauge.builder("vodflow.sse.subscribers", subscriberCount, AtomicInteger::get)
                .description("Server-Sent Events streams open on this replica")
                .strongReference(true)
                .register(metrics);
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(config.status().catchUpInterval().toMillis(), ignored -> catchUp());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        input.onComplete();
        // The registry can outlive this application (tests restart it in one JVM): a gauge left
        // behind would keep reporting this application's count instead of the next one's.
        metrics.remove(subscriberGauge);
    }

    void changed(@Observes VideoChanged change) {
        publish(change.after());
    }

    /** Publishes a change, unless this version (or a later one) was published already. */
    void publish(Video video) {
        if (!subscribers.containsKey(video.id())) {
            return;
        }
        AtomicBoolean fresh = new AtomicBoolean();
        published.compute(video.id(), (id, before) -> {
            if (before != null && before >= video.version()) {
                return before;
            }
            fresh.set(true);
            return video.version();
        });
        if (fresh.get()) {
            input.onNext(video);
        }
    }

    /**
     * The changes of one video from now on, until the subscriber cancels. Subscribers filter by
     * version themselves, as a change may also reach them through the catch-up read.
     */
    public Multi<Video> changes(String id) {
        return changes.select()
                .where(video -> video.id().equals(id))
                .onSubscription()
                .invoke(() -> {
                    subscriberCount.incrementAndGet();
                    subscribers.compute(id, (key, count) -> {
                        AtomicInteger counted = count == null ? new AtomicInteger() : count;
                        counted.incrementAndGet();
                        return counted;
                    });
                })
                .onTermination()
                .invoke(() -> {
                    subscriberCount.decrementAndGet();
                    subscribers.computeIfPresent(id, (key, count) -> {
                        if (count.decrementAndGet() > 0) {
                            return count;
                        }
                        published.remove(id);
                        return null;
                    });
                });
    }

    /** Reads every subscribed video and publishes those another replica changed. */
    private void catchUp() {
        List<String> ids = List.copyOf(subscribers.keySet());
        if (ids.isEmpty() || !catchingUp.compareAndSet(false, true)) {
            return;
        }
        Cancellable ignored = videos.findAll(ids)
                .onTermination()
                .invoke(() -> catchingUp.set(false))
                .subscribe()
                .with(
                        found -> found.forEach(this::publish),
                        failure -> LOG.warnf("Catch-up read failed: %s", failure.getMessage()));
    }
}
