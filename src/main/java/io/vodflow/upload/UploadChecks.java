package io.vodflow.upload;

import io.vodflow.config.StartupCheck;
import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Upload URL lifetimes that storage can sign: a presigned URL lasts from a second to seven days, and
 * beyond that every creation would fail.
 */
@ApplicationScoped
class UploadChecks implements StartupCheck {

    private static final Duration SHORTEST = Duration.ofSeconds(1);
    private static final Duration LONGEST = Duration.ofDays(7);

    private final VodflowConfig.Upload upload;

    UploadChecks(VodflowConfig config) {
        this.upload = config.upload();
    }

    @Override
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        Map.of(
                        "vodflow.upload.url-lifetime", upload.urlLifetime(),
                        "vodflow.upload.part-url-lifetime", upload.partUrlLifetime())
                .forEach((name, lifetime) -> {
                    if (lifetime.compareTo(SHORTEST) < 0 || lifetime.compareTo(LONGEST) > 0) {
                        problems.add(name + " is " + lifetime.toSeconds()
                                + " s; presigned storage URLs last from one second to seven days.");
                    }
                });
        return problems;
    }
}
