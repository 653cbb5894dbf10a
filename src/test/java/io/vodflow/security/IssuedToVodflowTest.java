package io.vodflow.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.JwtContext;
import org.junit.jupiter.api.Test;

/**
 * Tokens as each kind of provider issues them to vodflow's web client are accepted; tokens the same
 * provider issued to another application are not. (SignInTest sends real tokens of the embedded
 * provider through quarkus-oidc.)
 */
class IssuedToVodflowTest {

    private final IssuedToVodflow check = new IssuedToVodflow(List.of("vodflow-web"));

    @Test
    void tokensIssuedToVodflowAreAcceptedHoweverTheProviderNamesItsClient() throws MalformedClaimException {
        assertThat(check.validate(token(Map.of("client_id", "vodflow-web"))))
                .as("Cognito: client_id only, no aud")
                .isNull();
        assertThat(check.validate(token(Map.of("aud", "account", "azp", "vodflow-web"))))
                .as("Keycloak: the audience of another client, azp")
                .isNull();
        assertThat(check.validate(token(Map.of("aud", "api://vodflow", "appid", "vodflow-web"))))
                .as("Entra ID v1: appid")
                .isNull();
        assertThat(check.validate(token(Map.of("aud", List.of("https://api.example", "vodflow-web")))))
                .as("vodflow among the audiences")
                .isNull();
    }

    @Test
    void tokensIssuedToAnotherApplicationAreRefusedWithAReason() throws MalformedClaimException {
        assertThat(check.validate(token(Map.of("client_id", "reports-app"))))
                .isEqualTo("The token was issued to another application");
        assertThat(check.validate(token(Map.of("aud", "account", "azp", "reports-app"))))
                .isNotNull();
        assertThat(check.validate(token(Map.of("sub", "bob"))))
                .as("naming no client")
                .isNotNull();
        assertThat(new IssuedToVodflow(List.of()).validate(token(Map.of("client_id", "vodflow-web"))))
                .as("with no client configured")
                .isNotNull();
    }

    @Test
    void tokensThatNameNoUserAreRefusedWhateverElseTheyName() throws MalformedClaimException {
        JwtClaims anonymous = new JwtClaims();
        anonymous.setClaim("client_id", "vodflow-web");
        anonymous.setClaim("preferred_username", "alice");

        assertThat(check.validate(new JwtContext("header.payload.signature", anonymous, List.of())))
                .isEqualTo("The token names no user (no sub claim)");
    }

    private static JwtContext token(Map<String, Object> claims) {
        JwtClaims jwt = new JwtClaims();
        jwt.setSubject("bob");
        claims.forEach(jwt::setClaim);
        return new JwtContext("header.payload.signature", jwt, List.of());
    }
}
