package io.vodflow.security;

import io.quarkus.arc.Unremovable;
import io.quarkus.oidc.runtime.OidcConfig;
import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.jwt.consumer.Validator;

/**
 * Accepts a bearer token only when it was issued to vodflow and names its user. quarkus-oidc checks
 * a token's issuer, signature and expiry, and its audience only when told one; without this, a token
 * the same provider issued to any other application of the realm or user pool (and that application
 * could replay it) would be taken as its user's. quarkus-oidc runs this while it verifies a token, so
 * a foreign token fails as a bad one does (401) and is never kept by {@link VerifiedTokens}.
 *
 * <p>Providers name the client a token was issued to differently: Keycloak, Auth0 and Entra ID (v2)
 * in {@code azp}, Entra ID v1 in {@code appid}, Cognito's access tokens in {@code client_id}; and a
 * token may name vodflow among its audiences ({@code aud}) instead.
 */
@Unremovable
@ApplicationScoped
class IssuedToVodflow implements Validator {

    private static final List<String> CLIENT_CLAIMS = List.of("azp", "appid", "client_id");

    private final Set<String> clients;

    @Inject
    IssuedToVodflow(VodflowConfig config, OidcConfig oidc) {
        this(clients(config, oidc));
    }

    IssuedToVodflow(Collection<String> clients) {
        this.clients = Set.copyOf(clients);
    }

    /** The client ids whose tokens are accepted: {@code vodflow.auth.accepted-clients}, else vodflow's own. */
    static List<String> clients(VodflowConfig config, OidcConfig oidc) {
        return config.auth().acceptedClients().orElseGet(() -> OidcConfig.getDefaultTenant(oidc).clientId().stream()
                .toList());
    }

    @Override
    public String validate(JwtContext context) throws MalformedClaimException {
        JwtClaims claims = context.getJwtClaims();
        if (claims.getSubject() == null || claims.getSubject().isBlank()) {
            // Videos belong to the subject, which names a user for good; a display name (upn,
            // preferred_username) may change hands, and never stands in for it.
            return "The token names no user (no sub claim)";
        }
        Stream<String> audiences = claims.hasAudience() ? claims.getAudience().stream() : Stream.empty();
        Stream<String> parties = CLIENT_CLAIMS.stream().map(claims::getClaimValueAsString);
        // Set.copyOf's sets refuse to be asked for null: claims a token lacks are left out first.
        return Stream.concat(audiences, parties).filter(Objects::nonNull).anyMatch(clients::contains)
                ? null
                : "The token was issued to another application";
    }
}
