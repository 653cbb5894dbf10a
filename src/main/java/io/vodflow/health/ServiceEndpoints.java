package io.vodflow.health;

import io.vodflow.config.VodflowConfig;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** What the health checks report about where each backing service is. */
@Singleton
class ServiceEndpoints {

    private final boolean embedded;
    private final Optional<URI> s3;
    private final Optional<URI> dynamodb;
    private final Optional<URI> sqs;

    ServiceEndpoints(
            VodflowConfig config,
            @ConfigProperty(name = "quarkus.s3.endpoint-override") Optional<URI> s3,
            @ConfigProperty(name = "quarkus.dynamodb.endpoint-override") Optional<URI> dynamodb) {
        this.embedded = config.localcloud().enabled();
        this.s3 = s3;
        this.dynamodb = dynamodb;
        this.sqs = config.aws().sqsEndpoint();
    }

    Map<String, String> s3() {
        return describe(s3);
    }

    Map<String, String> sqs() {
        return describe(sqs);
    }

    Map<String, String> dynamodb() {
        return describe(dynamodb);
    }

    private Map<String, String> describe(Optional<URI> endpoint) {
        return Map.of(
                "embedded", Boolean.toString(embedded),
                "endpoint", endpoint.map(URI::toString).orElse("AWS regional endpoint"));
    }
}
