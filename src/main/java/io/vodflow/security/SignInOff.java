package io.vodflow.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * With sign-in turned off ({@code vodflow.auth.enabled=false}), every request is the one anonymous
 * administrator ({@link Caller#ANONYMOUS}); with it on, this mechanism stands aside for the bearer
 * tokens of quarkus-oidc.
 */
@ApplicationScoped
class SignInOff implements HttpAuthenticationMechanism {

    private final boolean off;
    private final SecurityIdentity anonymous;

    SignInOff(VodflowConfig config) {
        this.off = !config.auth().enabled();
        this.anonymous = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(Caller.ANONYMOUS.subject()))
                .addRole(config.auth().adminRole())
                .build();
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        return off ? Uni.createFrom().item(anonymous) : Uni.createFrom().nullItem();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().nullItem();
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of();
    }
}
