package io.vodflow.status;

import io.vodflow.config.VodflowConfig;
import io.vodflow.problem.ApiProblem;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many event streams follow each owner's videos on this replica, bounded: a stream holds a
 * connection and its request for as long as its video is in flight (a video that never gets its file
 * stays so for hours), so one account opening streams without end would otherwise take the replica's
 * memory. A stream opened with a video's events link counts against the video's owner, for whom the
 * link was made.
 */
@ApplicationScoped
class StreamsPerOwner {

    /** Videos made before videos had owners count together, under this key. */
    private static final String NO_OWNER = "";

    private final Map<String, Integer> open = new ConcurrentHashMap<>();
    private final int limit;

    StreamsPerOwner(VodflowConfig config) {
        this.limit = config.status().streamsPerOwner();
    }

    /**
     * Counts one more stream of {@code owner}'s.
     *
     * @param owner the video's owner, or null for a video made before videos had owners
     * @return what ends it: the count goes down once, however often it runs
     * @throws ApiProblem 429 when the owner has {@code vodflow.status.streams-per-owner} streams open here
     */
    Runnable admit(String owner) {
        String key = owner == null ? NO_OWNER : owner;
        AtomicBoolean admitted = new AtomicBoolean();
        open.compute(key, (ignored, count) -> {
            int current = count == null ? 0 : count;
            if (current >= limit) {
                return count;
            }
            admitted.set(true);
            return current + 1;
        });
        if (!admitted.get()) {
            throw ApiProblem.overQuota(
                    "This account's videos already have " + limit + " event streams open on this server,"
                            + " its limit; close one (a page closes its stream when its video ends)",
                    Duration.ofSeconds(15));
        }
        AtomicBoolean left = new AtomicBoolean();
        return () -> {
            if (left.compareAndSet(false, true)) {
                open.computeIfPresent(key, (ignored, count) -> count == 1 ? null : count - 1);
            }
        };
    }
}
