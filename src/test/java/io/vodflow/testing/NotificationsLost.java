package io.vodflow.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Upload notifications are never consumed, as if every one were lost: tests take uploads in through
 * the reconciler, or deliver them by hand, at a moment of their choosing.
 */
public class NotificationsLost implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("mp.messaging.incoming.uploads.enabled", "false");
    }
}
