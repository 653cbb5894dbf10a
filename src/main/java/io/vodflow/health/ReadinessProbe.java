package io.vodflow.health;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/** Turns one asynchronous call to a backing service into a bounded, non-blocking health response. */
final class ReadinessProbe {

    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private ReadinessProbe() {}

    static Uni<HealthCheckResponse> probe(
            String name, Map<String, String> data, Supplier<? extends CompletionStage<?>> call) {
        return Uni.createFrom()
                .completionStage(call)
                .ifNoItem()
                .after(TIMEOUT)
                .failWith(() -> new IllegalStateException("no answer within " + TIMEOUT.toSeconds() + " s"))
                .map(ignored -> builder(name, data).up().build())
                .onFailure()
                .recoverWithItem(failure -> builder(name, data)
                        .down()
                        .withData("error", String.valueOf(failure.getMessage()))
                        .build());
    }

    private static HealthCheckResponseBuilder builder(String name, Map<String, String> data) {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named(name);
        data.forEach(builder::withData);
        return builder;
    }
}
