package io.vodflow.security;

import io.quarkus.runtime.Startup;
import io.vodflow.config.VodflowConfig;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.cloudfront.CloudFrontUtilities;
import software.amazon.awssdk.services.cloudfront.cookie.CookiesForCustomPolicy;
import software.amazon.awssdk.services.cloudfront.model.CustomSignerRequest;

/**
 * CloudFront signed cookies for one video: a custom policy allowing {@code <cdn>/videos/<id>/*}
 * until the playback link lifetime ends, signed with the distribution's key pair. Cookies rather
 * than signed URLs, because playlists name their files relatively: every request a player makes for
 * the video then carries them, in hls.js (with credentials) and native players alike.
 */
@Singleton
@Startup // reads the key at start: a key that cannot be read stops the start
public class CdnCookies {

    private final Optional<Signing> signing;
    private final CloudFrontUtilities cloudFront = CloudFrontUtilities.create();

    private record Signing(URI cdn, String keyPairId, PrivateKey privateKey, String domain, Duration lifetime) {}

    CdnCookies(VodflowConfig config) {
        VodflowConfig.Playback playback = config.playback();
        VodflowConfig.CloudFront cloudfront = playback.cloudfront();
        this.signing = configured(config)
                ? Optional.of(new Signing(
                        playback.baseUrl().get(),
                        cloudfront.keyPairId().get(),
                        readKey(cloudfront.privateKeyFile().get()),
                        cloudfront.cookieDomain().get(),
                        playback.linkLifetime()))
                : Optional.empty();
    }

    /** Whether a CDN and all three CloudFront settings are set. */
    static boolean configured(VodflowConfig config) {
        VodflowConfig.CloudFront cloudfront = config.playback().cloudfront();
        return config.playback().baseUrl().isPresent()
                && cloudfront.keyPairId().isPresent()
                && cloudfront.privateKeyFile().isPresent()
                && cloudfront.cookieDomain().isPresent();
    }

    /** Read once, at start: a key that cannot be read stops the start, naming the file. */
    private static PrivateKey readKey(Path file) {
        try {
            // The SDK reads PEM keys (PKCS#1 and PKCS#8) only on its way to a request: a stand-in one.
            return CustomSignerRequest.builder()
                    .privateKey(file)
                    .resourceUrl("https://key.check/")
                    .keyPairId("key-check")
                    .expirationDate(Instant.now())
                    .build()
                    .privateKey();
        } catch (Exception e) {
            throw new IllegalStateException(
                    "vodflow.playback.cloudfront.private-key-file: cannot read a PEM private key from " + file, e);
        }
    }

    /** Whether outputs are fetched with these cookies: players must then send credentials. */
    public boolean enabled() {
        return signing.isPresent();
    }

    /** The Set-Cookie values that open this video's outputs on the CDN; none when the CDN is unsigned. */
    public List<String> forVideo(String videoId, Instant now) {
        if (signing.isEmpty()) {
            return List.of();
        }
        Signing with = signing.get();
        String base = with.cdn().toString().replaceAll("/+$", "");
        String prefix = with.cdn().getPath().replaceAll("/+$", "") + "/videos/" + videoId + "/";
        Instant expires = now.plus(with.lifetime());
        CookiesForCustomPolicy cookies =
                cloudFront.getCookiesForCustomPolicy(request -> request.resourceUrl(base + "/videos/" + videoId + "/*")
                        .keyPairId(with.keyPairId())
                        .privateKey(with.privateKey())
                        .expirationDate(expires));
        String attributes = "; Domain=" + with.domain() + "; Path=" + prefix + "; Max-Age="
                + with.lifetime().toSeconds() + "; Secure; HttpOnly; SameSite=None";
        return List.of(
                cookies.policyHeaderValue() + attributes,
                cookies.signatureHeaderValue() + attributes,
                cookies.keyPairIdHeaderValue() + attributes);
    }
}
