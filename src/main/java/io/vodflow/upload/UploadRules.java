package io.vodflow.upload;

import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The upload settings the request validators check against. The validators are made before the
 * settings are loaded, so they hold this bean's client proxy, and the bean itself is made when a
 * request is first checked. Looking the settings up on every check instead ({@code Instance.get})
 * was about a third of what checking a create cost.
 */
@ApplicationScoped
class UploadRules {

    private final VodflowConfig.Upload upload;

    UploadRules(VodflowConfig config) {
        this.upload = config.upload();
    }

    VodflowConfig.Upload get() {
        return upload;
    }
}
