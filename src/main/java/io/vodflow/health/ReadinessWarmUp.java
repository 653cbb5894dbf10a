package io.vodflow.health;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.AsyncHealthCheck;
import io.vodflow.config.VodflowConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Makes the first readiness answer quick. Each readiness check needs its AWS client, and the first call
 * of a client is slow: the SDK's classes, the AWS CRT's native library and event loops, endpoint rules,
 * the first connection. At start-up this runs every check once on a thread of its own, beside the rest
 * of the start-up, so that the clients are built and connected by the time Kubernetes or the load
 * balancer first asks. Readiness itself still asks the services afresh every time: what this finds is
 * only logged.
 */
@ApplicationScoped
class ReadinessWarmUp {

    private static final Logger LOG = Logger.getLogger(ReadinessWarmUp.class);

    private final List<AsyncHealthCheck> checks;
    private final boolean trainingRun;
    private final CompletableFuture<Void> warmed = new CompletableFuture<>();

    ReadinessWarmUp(
            @Readiness DynamoDbReadiness dynamodb,
            @Readiness S3Readiness s3,
            @Readiness SqsReadiness sqs,
            VodflowConfig config) {
        // SQS last: the messaging connectors build its client on the main thread meanwhile.
        this.checks = List.of(dynamodb, s3, sqs);
        this.trainingRun = config.trainingRun();
    }

    /** Right after the settings checks (priority 1): a misconfigured service stops before this. */
    void warm(@Observes @Priority(2) StartupEvent event) {
        Thread warmer = new Thread(
                () -> {
                    callEach();
                    warmed.complete(null);
                },
                "vodflow-readiness-warm-up");
        warmer.setDaemon(true);
        warmer.start();
    }

    /** A training run ends once started and warmed up (vodflow.training-run). */
    void endTrainingRun(@Observes @Priority(Integer.MAX_VALUE) StartupEvent event) {
        if (trainingRun) {
            warmed.thenRun(() -> {
                LOG.info("Training run: started and warmed up, stopping");
                Quarkus.asyncExit(0);
            });
        }
    }

    private void callEach() {
        for (AsyncHealthCheck check : checks) {
            try {
                // Bounded: every probe gives up after ReadinessProbe.TIMEOUT.
                HealthCheckResponse response = check.call().await().indefinitely();
                LOG.debugf("Readiness at start-up: %s %s", response.getName(), response.getStatus());
            } catch (RuntimeException e) {
                LOG.debugf("Readiness at start-up: %s", e.getMessage());
            }
        }
    }
}
