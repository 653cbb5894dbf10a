package io.vodflow.support;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Reads of one key shared by the callers who ask for it at the same time, as fresh as a read of
 * their own: a caller who asks while the key is being read waits for the next read, which starts as
 * soon as the current one ends and serves everyone who asked meanwhile. So each caller gets a read
 * sent after it asked (it sees every write that ended before), and a crowd asking at once costs a
 * read or two rather than one each. A caller waits for two reads at most, the one under way and its
 * own, so the read's own deadline bounds its wait. A failed read fails the callers it serves only.
 *
 * @param <K> the key, compared with {@code equals}
 * @param <V> what a read returns
 */
public final class SharedReads<K, V> {

    private final Function<K, Uni<V>> read;
    /** For each key being read: the callers waiting for its next read. */
    private final Map<K, List<UniEmitter<? super V>>> next = new ConcurrentHashMap<>();

    /** @param read reads a key when subscribed; a read's value is handed to several callers */
    public SharedReads(Function<K, Uni<V>> read) {
        this.read = read;
    }

    /** A read of {@code key} sent after subscription, shared with the callers who asked at the same time. */
    public Uni<V> get(K key) {
        return Uni.createFrom().emitter(caller -> {
            boolean[] first = {false};
            // The lists are only changed inside compute, under the key's lock.
            next.compute(key, (k, waiting) -> {
                if (waiting == null) {
                    first[0] = true;
                    return new ArrayList<>();
                }
                waiting.add(caller);
                return waiting;
            });
            if (first[0]) {
                send(key, List.of(caller));
            }
        });
    }

    private void send(K key, List<UniEmitter<? super V>> callers) {
        Uni.createFrom()
                .deferred(() -> read.apply(key))
                .subscribe()
                .with(value -> done(key, callers, value, null), failure -> done(key, callers, null, failure));
    }

    private void done(K key, List<UniEmitter<? super V>> callers, V value, Throwable failure) {
        List<List<UniEmitter<? super V>>> following = new ArrayList<>(1);
        next.compute(key, (k, waiting) -> {
            if (waiting.isEmpty()) {
                return null; // nobody asked meanwhile: the next caller reads again
            }
            following.add(waiting);
            return new ArrayList<>();
        });
        // The next read first: a caller served here who asks again asked after it was sent, and waits
        // for the one after.
        following.forEach(waiting -> send(key, waiting));
        for (UniEmitter<? super V> caller : callers) {
            if (failure == null) {
                caller.complete(value);
            } else {
                caller.fail(failure);
            }
        }
    }
}
