package io.vodflow.support;

import io.smallrye.context.SmallRyeThreadContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.AbstractMulti;
import io.smallrye.mutiny.subscription.MultiSubscriber;
import java.util.function.Supplier;
import org.eclipse.microprofile.context.ThreadContext;

/**
 * Mutiny pipelines that carry no thread context (CDI request scope, OpenTelemetry) into their
 * callbacks. By default every callback of every operator is wrapped to capture and restore those
 * contexts, which costs a few objects per operator and microseconds per item: too much for a stream
 * held open by thousands of subscribers that needs none of them.
 */
public final class WithoutContextPropagation {

    private static final SmallRyeThreadContext NONE = (SmallRyeThreadContext) ThreadContext.builder()
            .propagated(ThreadContext.NONE)
            .cleared(ThreadContext.NONE)
            .unchanged(ThreadContext.ALL_REMAINING)
            .build();

    private WithoutContextPropagation() {}

    /**
     * A {@link Multi} that builds {@code pipeline} and subscribes to it with context propagation off:
     * operators created meanwhile, those built lazily on subscription included, wrap nothing.
     */
    public static <T> Multi<T> multi(Supplier<Multi<T>> pipeline) {
        return new AbstractMulti<>() {
            @Override
            public void subscribe(MultiSubscriber<? super T> subscriber) {
                SmallRyeThreadContext.withThreadContext(
                        NONE, () -> pipeline.get().subscribe().withSubscriber(subscriber));
            }
        };
    }
}
