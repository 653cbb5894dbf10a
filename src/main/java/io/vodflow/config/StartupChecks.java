package io.vodflow.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * Settings that SmallRye Config cannot check alone. Runs before the messaging connectors start, so
 * that a misconfigured deployment stops with one message naming every problem instead of an SDK
 * stack trace from the first queue poll.
 */
@ApplicationScoped
public class StartupChecks {

    private static final Logger LOG = Logger.getLogger(StartupChecks.class);

    private final VodflowConfig config;
    private final Instance<StartupCheck> checks;

    StartupChecks(VodflowConfig config, @Any Instance<StartupCheck> checks) {
        this.config = config;
        this.checks = checks;
    }

    void check(@Observes @Priority(1) StartupEvent event) {
        List<String> problems = new ArrayList<>();
        if (!config.localcloud().enabled() && config.aws().region().isEmpty() && !regionFromDefaultChain()) {
            problems.add("No AWS region: set the AWS_REGION environment variable (or vodflow.aws.region).");
        }
        checks.forEach(check -> {
            check.warnings().forEach(LOG::warn);
            problems.addAll(check.problems());
        });
        if (!problems.isEmpty()) {
            throw new IllegalStateException("vodflow cannot start:\n  - " + String.join("\n  - ", problems));
        }
    }

    private static boolean regionFromDefaultChain() {
        try {
            return new DefaultAwsRegionProviderChain().getRegion() != null;
        } catch (SdkClientException e) {
            return false;
        }
    }
}
