package io.vodflow.status;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.core.Vertx;
import io.vodflow.config.VodflowConfig;
import io.vodflow.video.Video;
import io.vodflow.video.VideoChanged;
import io.vodflow.video.VideoRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Hands every change of a video to the followers of that video on this replica. Changes applied here
 * are published at once; changes applied by other replicas are found by a periodic batched read of
 * the videos someone follows, so that a client may connect to any replica.
 */
@ApplicationScoped
public class VideoBroadcaster {

    private static final Logger LOG = Logger.getLogger(VideoBroadcaster.class);

    /** The followers of each followed video: a change goes to those of its video only. */
    private final Map<String, Set<Follower>> followers = new ConcurrentHashMap<>();
    /** The last version published per followed video, so that each version is published once. */
    private final Map<String, Long> published = new ConcurrentHashMap<>();

    private final VideoRepository videos;
    private final Vertx vertx;
    private final VodflowConfig config;
    private final AtomicBoolean catchingUp = new AtomicBoolean();
    private long timer = -1;

    VideoBroadcaster(VideoRepository videos, Vertx vertx, VodflowConfig config) {
        this.videos = videos;
        this.vertx = vertx;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(config.status().catchUpInterval().toMillis(), ignored -> catchUp());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    void changed(@Observes VideoChanged change) {
        publish(change.after());
    }

    /** Publishes a change, unless this version (or a later one) was published already. */
    void publish(Video video) {
        Set<Follower> following = followers.get(video.id());
        if (following == null) {
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
            following.forEach(follower -> follower.changed(video));
        }
    }

    /**
     * Hands {@code follower} every change of the video published from now on, on the publishing
     * thread (so it must only hand the change on), until the returned action runs. Versions may come
     * out of order when two threads publish at once: followers keep only versions newer than the last
     * they sent, as they must anyway, since a change may also reach them through their own read.
     */
    Runnable follow(String id, Follower follower) {
        // Added and removed inside the map's own updates, so that a set is never dropped as it gains one.
        followers.compute(id, (key, following) -> {
            Set<Follower> joined = following == null ? ConcurrentHashMap.newKeySet() : following;
            joined.add(follower);
            return joined;
        });
        return () -> followers.computeIfPresent(id, (key, following) -> {
            following.remove(follower);
            if (!following.isEmpty()) {
                return following;
            }
            published.remove(id);
            return null;
        });
    }

    /**
     * Reads every followed video, publishes those another replica changed and tells the followers of
     * those it deleted: its last change before the record went may fall between two reads.
     */
    private void catchUp() {
        List<String> ids = List.copyOf(followers.keySet());
        if (ids.isEmpty() || !catchingUp.compareAndSet(false, true)) {
            return;
        }
        Cancellable ignored = videos.findAll(ids)
                .onTermination()
                .invoke(() -> catchingUp.set(false))
                .subscribe()
                .with(
                        found -> {
                            Set<String> gone = new HashSet<>(ids);
                            for (Video video : found) {
                                gone.remove(video.id());
                                publish(video);
                            }
                            gone.forEach(this::gone);
                        },
                        failure -> LOG.warnf("Catch-up read failed: %s", failure.getMessage()));
    }

    private void gone(String id) {
        Set<Follower> following = followers.get(id);
        if (following != null) {
            following.forEach(Follower::gone);
        }
    }

    /** Told of a followed video's changes on the publishing thread, so it must only hand them on. */
    interface Follower {

        void changed(Video video);

        /** The video no longer exists: another replica deleted it. */
        void gone();
    }
}
