package io.vodflow.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** Ready when both buckets answer a HEAD request. */
@Readiness
@ApplicationScoped
public class S3Readiness implements AsyncHealthCheck {

    private final S3AsyncClient s3;
    private final VodflowConfig config;
    private final ServiceEndpoints endpoints;

    S3Readiness(S3AsyncClient s3, VodflowConfig config, ServiceEndpoints endpoints) {
        this.s3 = s3;
        this.config = config;
        this.endpoints = endpoints;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        String input = config.storage().inputBucket();
        String output = config.storage().outputBucket();
        return ReadinessProbe.probe(
                "s3",
                endpoints.s3(),
                () -> CompletableFuture.allOf(
                        s3.headBucket(request -> request.bucket(input)),
                        s3.headBucket(request -> request.bucket(output))));
    }
}
