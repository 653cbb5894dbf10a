package io.vodflow.transcode;

import io.vodflow.config.StartupCheck;
import io.vodflow.config.VodflowConfig;
import io.vodflow.transcode.mediaconvert.JobSettingsConverter;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the configured engine needs: MediaConvert its role and a template it accepts, the local engine its
 * queue, and both a template whose inputs can be clipped at the longest source accepted.
 */
@ApplicationScoped
public class TranscoderChecks implements StartupCheck {

    private final VodflowConfig config;
    private final JobTemplate template;

    TranscoderChecks(VodflowConfig config, JobTemplate template) {
        this.config = config;
        this.template = template;
    }

    @Override
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        VodflowConfig.Transcoder.Backend backend = config.transcoder().backend();
        if (backend == VodflowConfig.Transcoder.Backend.MEDIACONVERT) {
            if (config.mediaconvert().roleArn().isEmpty()) {
                problems.add("The MediaConvert backend needs the IAM role it runs jobs with: set"
                        + " vodflow.mediaconvert.role-arn (VODFLOW_MEDIACONVERT_ROLE_ARN).");
            }
            try {
                JobSettingsConverter.toJobSettings(template.settings());
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        template.unclippable().ifPresent(problems::add);
        if (config.ceilings().maxDuration().compareTo(Duration.ofHours(24)) >= 0) {
            problems.add("vodflow.ceilings.max-duration must be under 24 hours: jobs clip their input there, at a"
                    + " timecode.");
        }
        if (VodflowConfig.usesLocalEngine(config)
                && config.queues().transcodeJobs().isEmpty()) {
            problems.add("The local engine (the local backend, or fast start) needs a queue for its jobs: set"
                    + " vodflow.queues.transcode-jobs (VODFLOW_QUEUES_TRANSCODE_JOBS).");
        }
        return problems;
    }
}
