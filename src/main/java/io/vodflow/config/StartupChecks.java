package io.vodflow.config;

import io.quarkus.runtime.StartupEvent;
import io.vodflow.transcode.JobTemplate;
import io.vodflow.transcode.mediaconvert.JobSettingsConverter;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * Settings that SmallRye Config cannot check alone. Runs before the messaging connectors start, so
 * that a misconfigured deployment stops with one message naming every problem instead of an SDK
 * stack trace from the first queue poll.
 */
@ApplicationScoped
public class StartupChecks {

    private final VodflowConfig config;
    private final JobTemplate template;

    StartupChecks(VodflowConfig config, JobTemplate template) {
        this.config = config;
        this.template = template;
    }

    void check(@Observes @Priority(1) StartupEvent event) {
        List<String> problems = new ArrayList<>();
        if (!config.localcloud().enabled() && config.aws().region().isEmpty() && !regionFromDefaultChain()) {
            problems.add("No AWS region: set the AWS_REGION environment variable (or vodflow.aws.region).");
        }
        if (config.transcoder().backend() == VodflowConfig.Transcoder.Backend.MEDIACONVERT
                && config.mediaconvert().roleArn().isEmpty()) {
            problems.add("The MediaConvert backend needs the IAM role it runs jobs with: set"
                    + " vodflow.mediaconvert.role-arn (VODFLOW_MEDIACONVERT_ROLE_ARN).");
        }
        if (config.transcoder().backend() == VodflowConfig.Transcoder.Backend.MEDIACONVERT) {
            try {
                JobSettingsConverter.toJobSettings(template.settings());
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (config.transcoder().backend() == VodflowConfig.Transcoder.Backend.LOCAL
                && config.queues().transcodeJobs().isEmpty()) {
            problems.add("The local backend needs a queue for its jobs: set vodflow.queues.transcode-jobs"
                    + " (VODFLOW_QUEUES_TRANSCODE_JOBS).");
        }
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
