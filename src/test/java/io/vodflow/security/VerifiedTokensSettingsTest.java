package io.vodflow.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.oidc.runtime.OidcConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Verified tokens are not reused where quarkus-oidc checks more than the token on every call, or
 * where another tenant would verify the same token against other keys.
 */
@QuarkusTest
class VerifiedTokensSettingsTest {

    @Inject
    OidcConfig applied;

    @Test
    void reuseStopsWhereEachCallIsCheckedAtTheProviderOrTenantsDiffer() {
        assertThat(VerifiedTokens.checksOnEveryCall(applied))
                .as("the settings tests run with")
                .isFalse();

        assertThat(VerifiedTokens.checksOnEveryCall(with(Map.of("quarkus.oidc.token.binding.certificate", "true"))))
                .as("tokens bound to the client's certificate")
                .isTrue();
        assertThat(VerifiedTokens.checksOnEveryCall(with(Map.of("quarkus.oidc.token.authorization-scheme", "DPoP"))))
                .as("DPoP proofs")
                .isTrue();
        assertThat(VerifiedTokens.checksOnEveryCall(
                        with(Map.of("quarkus.oidc.token.require-jwt-introspection-only", "true"))))
                .as("every JWT introspected")
                .isTrue();
        assertThat(VerifiedTokens.checksOnEveryCall(
                        with(Map.of("quarkus.oidc.partners.auth-server-url", "https://partners.example/realm"))))
                .as("a second tenant")
                .isTrue();
    }

    /** quarkus-oidc's settings: its defaults, and these. */
    private static OidcConfig with(Map<String, String> settings) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(settings, "test"))
                .withMapping(OidcConfig.class)
                // Quarkus' form of durations ("10M") in the extension's defaults
                .withConverter(Duration.class, 200, new DurationConverter())
                .withValidateUnknown(false)
                .build();
        return config.getConfigMapping(OidcConfig.class);
    }
}
