package io.vodflow.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineStatsCounter;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.runtime.OidcConfig;
import io.quarkus.oidc.runtime.OidcTenantConfig;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/**
 * Bearer tokens that quarkus-oidc verified, each with the identity it made of it, reused until the
 * token expires and for at most {@code vodflow.auth.verified-token-reuse}. A client sends the same
 * token with every call for the token's lifetime, and verifying it (parsing the JWT, its RSA
 * signature, its claims) made two fifths of what a creation allocated. Only the very token verified
 * before is reused, so an altered, foreign or expired one goes to quarkus-oidc as ever. (A limit on
 * a token's age, {@code quarkus.oidc.token.age}, may be passed by up to the reuse time.)
 *
 * <p>Both halves of the cache are here: as the first identity provider, it answers a token it
 * knows; as the first augmentor, it keeps what quarkus-oidc made of a new one, before the other
 * augmentors add to it (they run on a reused identity as well). Reuse is off where quarkus-oidc
 * checks more than the token itself on every call (a token bound to the client's certificate or a
 * DPoP proof, or one introspected at the provider) and where it has more than one tenant.
 */
@ApplicationScoped
class VerifiedTokens implements IdentityProvider<TokenAuthenticationRequest>, SecurityIdentityAugmentor {

    private static final Logger LOG = Logger.getLogger(VerifiedTokens.class);

    /** The attributes that belong to the request that verified the token, not to the token. */
    private static final String ROUTING_CONTEXT = RoutingContext.class.getName();

    private static final String REQUEST_CONTEXT = AuthenticationRequestContext.class.getName();

    /** A verified token's identity, without its request, and when the token expires. */
    private record Verified(SecurityIdentity identity, Instant expires) {}

    private final Duration reuse;
    private final Cache<String, Verified> verified;

    VerifiedTokens(VodflowConfig config, OidcConfig oidc, MeterRegistry metrics) {
        this.reuse = checksOnEveryCall(oidc) ? Duration.ZERO : config.auth().verifiedTokenReuse();
        this.verified = Caffeine.newBuilder()
                .maximumSize(config.auth().verifiedTokens())
                .expireAfter(Expiry.creating((String token, Verified entry) -> lifetime(entry.expires())))
                .recordStats(() -> new CaffeineStatsCounter(metrics, "verified-tokens"))
                .build();
    }

    /**
     * Whether quarkus-oidc checks more than the token itself on every call, as configured; or has
     * tenants beside the default one, which would each verify the same token against their own keys.
     */
    static boolean checksOnEveryCall(OidcConfig oidc) {
        OidcTenantConfig.Token token = OidcConfig.getDefaultTenant(oidc).token();
        boolean bound = token.binding().certificate() || "DPoP".equalsIgnoreCase(token.authorizationScheme());
        boolean tenants =
                oidc.namedTenants().keySet().stream().anyMatch(name -> !name.equals(OidcConfig.DEFAULT_TENANT_KEY));
        if (bound || token.requireJwtIntrospectionOnly() || tenants) {
            LOG.info("Verified bearer tokens are not reused: quarkus-oidc binds or introspects every token, or has"
                    + " more than one tenant");
            return true;
        }
        return false;
    }

    /**
     * The one priority of both halves: before quarkus-oidc's provider (which has the default, 1001),
     * and before every other augmentor (0 by default).
     */
    @Override
    public int priority() {
        return 10_000;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    /** The identity of a token verified before and not yet expired, for this request; else none. */
    @Override
    public Uni<SecurityIdentity> authenticate(
            TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        if (!(request.getToken() instanceof AccessTokenCredential token)) {
            return Uni.createFrom().nullItem();
        }
        Verified known = verified.getIfPresent(token.getToken());
        if (known == null || !Instant.now().isBefore(known.expires())) {
            return Uni.createFrom().nullItem();
        }
        QuarkusSecurityIdentity.Builder identity =
                QuarkusSecurityIdentity.builder(known.identity()).addAttribute(REQUEST_CONTEXT, context);
        RoutingContext routing = HttpSecurityUtils.getRoutingContextAttribute(request);
        if (routing != null) {
            identity.addAttribute(ROUTING_CONTEXT, routing);
        }
        return Uni.createFrom().item(identity.build());
    }

    /** Keeps the identity of a bearer JWT that was just verified. */
    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        AccessTokenCredential token = identity.getCredential(AccessTokenCredential.class);
        if (!reuse.isZero() && token != null && identity.getPrincipal() instanceof JsonWebToken jwt) {
            Instant expires = Instant.ofEpochSecond(jwt.getExpirationTime());
            if (lifetime(expires).compareTo(Duration.ZERO) > 0
                    && !verified.asMap().containsKey(token.getToken())) {
                verified.asMap().putIfAbsent(token.getToken(), new Verified(detached(identity), expires));
            }
        }
        return Uni.createFrom().item(identity);
    }

    /** How long a token expiring then may be reused from now. */
    private Duration lifetime(Instant expires) {
        Duration left = Duration.between(Instant.now(), expires);
        return left.compareTo(reuse) < 0 ? left : reuse;
    }

    /** The identity without the request it was made for, which the cache must not keep alive. */
    private static SecurityIdentity detached(SecurityIdentity identity) {
        Map<String, Object> attributes = new HashMap<>(identity.getAttributes());
        attributes.remove(ROUTING_CONTEXT);
        attributes.remove(REQUEST_CONTEXT);
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(identity.getPrincipal())
                .addRoles(identity.getRoles())
                .addCredentials(identity.getCredentials())
                .addPermissions(identity.getPermissions())
                .addAttributes(attributes)
                .build();
    }
}
