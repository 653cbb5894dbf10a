package io.vodflow.localcloud;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.oauth2.sdk.ResourceOwnerPasswordCredentialsGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.MockWebServerWrapper;
import no.nav.security.mock.oauth2.token.OAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * An OpenID Connect provider for dev mode and tests (mock-oauth2-server): discovery, keys, the
 * authorization code flow with PKCE behind a page to pick a dev user, and the password grant for
 * scripts and tests. Its issuer is {@code http://<host>:<port>/vodflow}; tokens carry the user's
 * roles in the {@code roles} claim.
 */
final class EmbeddedOidc implements AutoCloseable {

    static final String ISSUER = "vodflow";
    /** The dev users and their roles: one administrator, one plain user. */
    static final Map<String, List<String>> USERS = Map.of("alice", List.of("admin"), "bob", List.of());

    private final MockOAuth2Server server;

    private EmbeddedOidc(MockOAuth2Server server) {
        this.server = server;
    }

    /** @param toolsDir where the sign-in page is written, since the provider reads it from a file */
    static EmbeddedOidc start(String host, int port, Path toolsDir) {
        Path loginPage = writeLoginPage(toolsDir);
        MockOAuth2Server server = new MockOAuth2Server(new OAuth2Config(
                true,
                loginPage.toString(),
                null,
                true, // refresh tokens rotate, as many providers' do: the page keeps the newest
                new OAuth2TokenProvider(),
                Set.of(new DevUserTokens()),
                new MockWebServerWrapper()));
        try {
            server.start(InetAddress.getByName(host), port);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "The embedded OpenID Connect provider could not listen on " + host + ":" + port
                            + " (is the port free? set vodflow.localcloud.oidc-port to change it)",
                    e);
        }
        return new EmbeddedOidc(server);
    }

    private static Path writeLoginPage(Path toolsDir) {
        try (var page = EmbeddedOidc.class.getResourceAsStream("/localcloud/oidc/sign-in.html")) {
            Files.createDirectories(toolsDir);
            Path file = toolsDir.resolve("oidc-sign-in.html");
            Files.write(file, page.readAllBytes());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the dev sign-in page into " + toolsDir, e);
        }
    }

    @Override
    public void close() {
        server.shutdown();
    }

    /**
     * Tokens of the dev users. The password grant names its user; the sign-in page posts the chosen
     * user's roles itself.
     */
    private static final class DevUserTokens implements OAuth2TokenCallback {

        @Override
        public String issuerId() {
            return ISSUER;
        }

        @Override
        public String subject(TokenRequest request) {
            return "bob";
        }

        @Override
        public String typeHeader(TokenRequest request) {
            return JOSEObjectType.JWT.getType();
        }

        /** The client the token is issued to, as real providers name it: vodflow accepts only its own. */
        @Override
        public List<String> audience(TokenRequest request) {
            ClientID client = request.getClientAuthentication() != null
                    ? request.getClientAuthentication().getClientID()
                    : request.getClientID();
            return List.of(client != null ? client.getValue() : ISSUER);
        }

        @Override
        public Map<String, Object> addClaims(TokenRequest request) {
            if (request.getAuthorizationGrant() instanceof ResourceOwnerPasswordCredentialsGrant password) {
                return Map.of("roles", USERS.getOrDefault(password.getUsername(), List.of()));
            }
            return Map.of();
        }

        @Override
        public long tokenExpiry() {
            return 3600;
        }
    }
}
