package io.vodflow.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/** Ready when every queue vodflow reads or writes exists. */
@Readiness
@ApplicationScoped
public class SqsReadiness implements AsyncHealthCheck {

    private final SqsAsyncClient sqs;
    private final VodflowConfig config;
    private final ServiceEndpoints endpoints;

    SqsReadiness(SqsAsyncClient sqs, VodflowConfig config, ServiceEndpoints endpoints) {
        this.sqs = sqs;
        this.config = config;
        this.endpoints = endpoints;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return ReadinessProbe.probe(
                "sqs",
                endpoints.sqs(),
                () -> CompletableFuture.allOf(config.queues().all().stream()
                        .map(queue -> sqs.getQueueUrl(request -> request.queueName(queue)))
                        .toArray(CompletableFuture[]::new)));
    }
}
