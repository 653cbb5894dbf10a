package io.vodflow.status;

import io.smallrye.mutiny.Multi;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One video's versions as they come: the stored state, then every change, each version once and in
 * order, ending after a terminal status or when the video is deleted. Changes arrive both from this replica's broadcaster and from
 * the read of the stored state, in any order; keeping only versions newer than the last one sent
 * makes the merge exact.
 */
@ApplicationScoped
public class VideoFollower {

    private final VideoRepository videos;
    private final VideoBroadcaster broadcaster;

    VideoFollower(VideoRepository videos, VideoBroadcaster broadcaster) {
        this.videos = videos;
        this.broadcaster = broadcaster;
    }

    /**
     * @param after the last version the subscriber has; only later ones are sent
     * @return nothing at all for a video that does not exist, or that ended at or before {@code after}
     */
    public Multi<Video> follow(String id, long after) {
        return Multi.createFrom().deferred(() -> {
            AtomicLong lastSent = new AtomicLong(after);
            // Merging subscribes to the live changes before reading the stored state: no change falls
            // between the two. An empty step marks the end.
            return Multi.createBy()
                    .merging()
                    .streams(broadcaster.changes(id).map(Optional::of), stored(id, after))
                    .select()
                    .where(step -> step.isEmpty() || isNewer(step.get(), lastSent))
                    .onItem()
                    .transformToMultiAndConcatenate(VideoFollower::untilTheEnd)
                    .select()
                    .first(Optional::isPresent)
                    .map(Optional::get);
        });
    }

    /** A terminal version is the last one sent; a video being deleted ends the stream at once. */
    private static Multi<Optional<Video>> untilTheEnd(Optional<Video> step) {
        if (step.isPresent() && step.get().isDeleting()) {
            return Multi.createFrom().item(Optional.empty());
        }
        return step.isPresent() && step.get().status().isTerminal()
                ? Multi.createFrom().items(step, Optional.empty())
                : Multi.createFrom().item(step);
    }

    /** The stored state, or the end when there is nothing to follow. */
    private Multi<Optional<Video>> stored(String id, long after) {
        return videos.find(id)
                .map(current -> current == null
                                || current.isDeleting()
                                || (current.status().isTerminal() && current.version() <= after)
                        ? Optional.<Video>empty()
                        : Optional.of(current))
                .toMulti();
    }

    /** Steps arrive one at a time (merging serialises them), so reading then setting is safe. */
    private static boolean isNewer(Video video, AtomicLong lastSent) {
        if (video.version() <= lastSent.get()) {
            return false;
        }
        lastSent.set(video.version());
        return true;
    }
}
