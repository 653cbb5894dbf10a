package io.vodflow.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

/** Verified tokens are not reused where quarkus-oidc checks more than the token on every call. */
class VerifiedTokensSettingsTest {

    @Test
    void reuseStopsWhereEachCallIsCheckedAtTheProvider() {
        assertThat(VerifiedTokens.checksOnEveryCall(config(Map.of()))).isFalse();
        assertThat(VerifiedTokens.checksOnEveryCall(
                        config(Map.of("quarkus.oidc.token.authorization-scheme", "Bearer"))))
                .isFalse();

        assertThat(VerifiedTokens.checksOnEveryCall(config(Map.of("quarkus.oidc.token.binding.certificate", "true"))))
                .as("tokens bound to the client's certificate")
                .isTrue();
        assertThat(VerifiedTokens.checksOnEveryCall(config(Map.of("quarkus.oidc.token.authorization-scheme", "DPoP"))))
                .as("DPoP proofs")
                .isTrue();
        assertThat(VerifiedTokens.checksOnEveryCall(
                        config(Map.of("quarkus.oidc.token.require-jwt-introspection-only", "true"))))
                .as("every JWT introspected")
                .isTrue();
    }

    private static Config config(Map<String, String> settings) {
        return new SmallRyeConfigBuilder().withDefaultValues(settings).build();
    }
}
