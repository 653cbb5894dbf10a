package io.vodflow.security;

import io.smallrye.common.annotation.NonBlocking;
import io.vodflow.config.VodflowConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Where a browser signs in: the OpenID Connect provider's issuer and the client id, for the
 * authorization code flow with PKCE that the web page runs. Public, like the provider's own
 * discovery document.
 */
@Path("/auth/config")
@Tag(name = "Sign-in")
@Produces(MediaType.APPLICATION_JSON)
public class SignInResource {

    /** How to sign in, or enabled false when sign-in is off. */
    @Schema(name = "SignIn")
    public record SignIn(
            boolean enabled,
            @Schema(description = "The provider's issuer; its discovery document is under /.well-known") String issuer,
            @Schema(description = "The client id to ask tokens for") String clientId) {}

    private final SignIn signIn;

    SignInResource(
            VodflowConfig config,
            @ConfigProperty(name = "quarkus.oidc.auth-server-url") Optional<String> issuer,
            @ConfigProperty(name = "quarkus.oidc.client-id") Optional<String> clientId) {
        this.signIn = config.auth().enabled()
                ? new SignIn(true, issuer.orElse(null), clientId.orElse(null))
                : new SignIn(false, null, null);
    }

    @GET
    @NonBlocking // answers from memory
    @Operation(summary = "How a browser signs in")
    public SignIn get() {
        return signIn;
    }
}
