package io.vodflow.config;

import java.util.List;

/**
 * A check of settings that SmallRye Config cannot make alone, contributed by the feature that owns
 * them; {@link StartupChecks} runs them all and reports every problem at once.
 */
public interface StartupCheck {

    /** Each problem as a sentence that names the setting to fix; empty when all is well. */
    List<String> problems();

    /**
     * Settings that work but expose something an operator may not mean to, each as a sentence naming
     * the setting; logged at every start.
     */
    default List<String> warnings() {
        return List.of();
    }
}
