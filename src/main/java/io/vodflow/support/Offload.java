package io.vodflow.support;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.function.Supplier;

/** The one way event-loop code hands blocking or CPU-heavy work to the worker pool. */
public final class Offload {

    private Offload() {}

    /** A {@link Uni} that runs {@code work} on a worker thread when subscribed. */
    public static <T> Uni<T> of(Supplier<T> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
