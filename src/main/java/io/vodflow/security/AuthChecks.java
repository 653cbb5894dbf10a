package io.vodflow.security;

import io.quarkus.oidc.runtime.OidcConfig;
import io.quarkus.runtime.LaunchMode;
import io.vodflow.config.StartupCheck;
import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Production starts only with a key to sign links and the client ids whose tokens it accepts, or with
 * sign-in turned off on purpose, which every start then repeats in the log, as it does for a CDN
 * that serves outputs without signed cookies. (Without a provider,
 * quarkus-oidc stops the start itself, naming {@code quarkus.oidc.auth-server-url}.) A replica that
 * serves no API ({@code quarkus.http.host-enabled=false}: a transcoding worker) needs neither, and is
 * better off without the key.
 */
@ApplicationScoped
class AuthChecks implements StartupCheck {

    private final VodflowConfig config;
    private final OidcConfig oidc;
    private final boolean servesApi;

    AuthChecks(
            VodflowConfig config,
            OidcConfig oidc,
            @ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true") boolean servesApi) {
        this.config = config;
        this.oidc = oidc;
        this.servesApi = servesApi;
    }

    @Override
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        VodflowConfig.Auth auth = config.auth();
        if (auth.signingKey().isPresent()) {
            try {
                LinkSigner.decode(auth.signingKey().get());
            } catch (IllegalArgumentException e) {
                problems.add("vodflow.auth.signing-key must be Base64 of at least 32 random bytes (openssl rand"
                        + " -base64 32).");
            }
        }
        VodflowConfig.CloudFront cloudfront = config.playback().cloudfront();
        boolean anyCloudFront = cloudfront.keyPairId().isPresent()
                || cloudfront.privateKeyFile().isPresent()
                || cloudfront.cookieDomain().isPresent();
        if (anyCloudFront && !CdnCookies.configured(config)) {
            problems.add("CloudFront signed cookies need vodflow.playback.base-url and all three of"
                    + " vodflow.playback.cloudfront.key-pair-id, private-key-file and cookie-domain.");
        }
        if (!auth.enabled() || !servesApi || LaunchMode.current() != LaunchMode.NORMAL) {
            return problems;
        }
        if (auth.signingKey().isEmpty()) {
            problems.add("No key for playback links: set VODFLOW_AUTH_SIGNING_KEY (openssl rand -base64 32),"
                    + " the same on every replica, or VODFLOW_AUTH_ENABLED=false to run without sign-in.");
        }
        if (IssuedToVodflow.clients(config, oidc).isEmpty()) {
            problems.add("No client id to accept tokens of: set QUARKUS_OIDC_CLIENT_ID (the web page's client at"
                    + " the provider), or list the clients in VODFLOW_AUTH_ACCEPTED_CLIENTS.");
        }
        return problems;
    }

    @Override
    public List<String> warnings() {
        if (!servesApi) {
            return List.of();
        }
        if (!config.auth().enabled()) {
            return List.of("Sign-in is off (vodflow.auth.enabled=false): anyone who reaches this service may list,"
                    + " watch and delete every video");
        }
        if (config.playback().baseUrl().isPresent() && !CdnCookies.configured(config)) {
            return List.of("vodflow.playback.base-url is set without CloudFront signed cookies"
                    + " (vodflow.playback.cloudfront.*): the CDN serves every video's outputs to anyone who has"
                    + " their address, whoever signed in");
        }
        return List.of();
    }
}
