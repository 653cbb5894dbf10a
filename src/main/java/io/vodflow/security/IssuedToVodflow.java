package io.vodflow.security;

import io.quarkus.arc.Unremovable;
import io.quarkus.oidc.runtime.OidcConfig;
import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.jwt.consumer.Validator;

/**
 * Accepts a bearer token only when it was issued to vodflow. quarkus-oidc checks a token's issuer,
 * signature and expiry, and its audience only when told one; without this, a token the same provider
 * issued to any other application of the realm or user pool (and that application could replay it)
 * would be taken as its user's. quarkus-oidc runs this while it verifies a token, so a foreign token
 * fails as a bad one does (401) and is never kept by {@link VerifiedTokens}.
 */
@Unremovable
@ApplicationScoped
class IssuedToVodflow implements Validator {

    private final Set<String> clients;

    IssuedToVodflow(VodflowConfig config, OidcConfig oidc) {
        this.clients = Set.copyOf(clients(config, oidc));
    }

    /** The client ids whose tokens are accepted: {@code vodflow.auth.accepted-clients}, else vodflow's own. */
    static List<String> clients(VodflowConfig config, OidcConfig oidc) {
        return config.auth().acceptedClients().orElseGet(() -> OidcConfig.getDefaultTenant(oidc).clientId().stream()
                .toList());
    }

    @Override
    public String validate(JwtContext context) throws MalformedClaimException {
        JwtClaims claims = context.getJwtClaims();
        Stream<String> audiences = claims.hasAudience() ? claims.getAudience().stream() : Stream.empty();
        Stream<String> parties =
                Stream.of(claims.getClaimValueAsString("azp"), claims.getClaimValueAsString("client_id"));
        return Stream.concat(audiences, parties).anyMatch(clients::contains)
                ? null
                : "The token was issued to another application";
    }
}
