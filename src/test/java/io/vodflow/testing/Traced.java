package io.vodflow.testing;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.test.junit.QuarkusTestProfile;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * Tracing on, as an operator would turn it on, with finished spans kept in memory (the
 * {@link InMemorySpanExporter} bean) instead of exported to a collector.
 */
public class Traced implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "100ms");
    }

    /** Present in every test application; it receives spans only where tracing is on. */
    @Singleton
    public static class Exporter {
        @Produces
        @Singleton
        InMemorySpanExporter spans() {
            return InMemorySpanExporter.create();
        }
    }
}
