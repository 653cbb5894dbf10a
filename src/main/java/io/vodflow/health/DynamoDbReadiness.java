package io.vodflow.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/** Ready when the videos table exists. */
@Readiness
@ApplicationScoped
public class DynamoDbReadiness implements AsyncHealthCheck {

    private final DynamoDbAsyncClient dynamo;
    private final VodflowConfig config;
    private final ServiceEndpoints endpoints;

    DynamoDbReadiness(DynamoDbAsyncClient dynamo, VodflowConfig config, ServiceEndpoints endpoints) {
        this.dynamo = dynamo;
        this.config = config;
        this.endpoints = endpoints;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        String table = config.database().table();
        return ReadinessProbe.probe(
                "dynamodb", endpoints.dynamodb(), () -> dynamo.describeTable(request -> request.tableName(table)));
    }
}
