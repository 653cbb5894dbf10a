package io.vodflow.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The caller of the current request, from its bearer token (quarkus-oidc), or the anonymous
 * administrator when sign-in is off ({@link SignInOff}). Authentication runs when an endpoint is
 * reached, not before every request, so that a missing or bad token fails as an exception that the
 * problem mapper answers with a 401 problem. Endpoints that take a body are also marked
 * {@code @Authenticated}, so that the token is checked before the body is read.
 */
@ApplicationScoped
public class Callers {

    private final CurrentIdentityAssociation identities;
    private final String adminRole;
    private final boolean signIn;

    Callers(CurrentIdentityAssociation identities, VodflowConfig config) {
        this.identities = identities;
        this.adminRole = config.auth().adminRole();
        this.signIn = config.auth().enabled();
    }

    /**
     * The signed-in caller.
     *
     * @throws UnauthorizedException (as the Uni's failure) when the request carries no token; a bad
     *     or expired one fails as {@code AuthenticationFailedException}
     */
    public Uni<Caller> current() {
        return optional().onItem().ifNull().failWith(UnauthorizedException::new);
    }

    /** The signed-in caller, or null when the request carries no token (a signed link may stand in). */
    public Uni<Caller> optional() {
        return identities.getDeferredIdentity().map(this::of);
    }

    private Caller of(SecurityIdentity identity) {
        if (identity.isAnonymous()) {
            return null;
        }
        if (!(identity.getPrincipal() instanceof JsonWebToken token)) {
            if (signIn) {
                // Not a JWT: its audience and subject cannot be checked (opaque tokens are not accepted).
                throw new AuthenticationFailedException("The token is not a JSON Web Token");
            }
            // Sign-in is off: SignInOff's one identity, the anonymous administrator.
            return new Caller(identity.getPrincipal().getName(), identity.hasRole(adminRole));
        }
        // The subject identifies a user for good (IssuedToVodflow refuses tokens without one); display
        // names such as preferred_username may change hands, and never stand in for it.
        if (token.getSubject() == null) {
            throw new AuthenticationFailedException("The token names no user");
        }
        return new Caller(token.getSubject(), identity.hasRole(adminRole));
    }
}
