package io.vodflow.security;

import static io.vodflow.testing.Users.as;
import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.vodflow.testing.Users;
import io.vodflow.testing.VideoApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * With CloudFront in front of the outputs, reading a video sets the signed cookies that open its
 * outputs there: a custom policy for the video's prefix only, until the links' lifetime ends,
 * signed with the distribution's key pair. CloudFront itself cannot run here: the test checks the
 * cookies as CloudFront would, with the public key.
 */
@QuarkusTest
@TestProfile(CdnCookiesTest.SignedCdn.class)
class CdnCookiesTest {

    private static final Path PRIVATE_KEY = Path.of("target", "cdn-test-key.pem");
    private static final Path PUBLIC_KEY = Path.of("target", "cdn-test-key.pub");

    /** A CloudFront distribution with a key pair made for this test. */
    public static class SignedCdn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            makeKeyPair();
            return Map.of(
                    "vodflow.playback.base-url", "https://cdn.example.test",
                    "vodflow.playback.cloudfront.key-pair-id", "K2TESTKEYPAIR",
                    "vodflow.playback.cloudfront.private-key-file",
                            PRIVATE_KEY.toAbsolutePath().toString(),
                    "vodflow.playback.cloudfront.cookie-domain", "example.test");
        }
    }

    @Test
    void readingAVideoSetsCookiesThatOpenItsOutputsOnly() throws Exception {
        String id = VideoApi.create("cdn.mp4", "video/mp4", 1000).getString("id");

        Response read = given().get("/videos/" + id);
        assertThat(read.statusCode()).isEqualTo(200);
        Map<String, String> cookies = read.headers().getValues("Set-Cookie").stream()
                .collect(Collectors.toMap(cookie -> cookie.substring(0, cookie.indexOf('=')), Function.identity()));
        assertThat(cookies).containsOnlyKeys("CloudFront-Policy", "CloudFront-Signature", "CloudFront-Key-Pair-Id");
        cookies.values().forEach(cookie -> assertThat(cookie)
                .contains("; Domain=example.test", "; Path=/videos/" + id + "/", "; Secure", "; HttpOnly"));

        String policy = new String(cloudFrontDecode(value(cookies.get("CloudFront-Policy"))), StandardCharsets.UTF_8);
        JsonNode statement =
                new ObjectMapper().readTree(policy).path("Statement").get(0);
        assertThat(statement.path("Resource").asText()).isEqualTo("https://cdn.example.test/videos/" + id + "/*");
        long expires = statement
                .path("Condition")
                .path("DateLessThan")
                .path("AWS:EpochTime")
                .asLong();
        assertThat(expires - Instant.now().getEpochSecond())
                .isBetween(
                        Duration.ofHours(6).toSeconds() - 60,
                        Duration.ofHours(6).toSeconds());
        Signature rsa = Signature.getInstance("SHA1withRSA");
        rsa.initVerify(publicKey());
        rsa.update(policy.getBytes(StandardCharsets.UTF_8));
        assertThat(rsa.verify(cloudFrontDecode(value(cookies.get("CloudFront-Signature")))))
                .as("CloudFront accepts the signature")
                .isTrue();
        assertThat(value(cookies.get("CloudFront-Key-Pair-Id"))).isEqualTo("K2TESTKEYPAIR");

        Response foreign = as(Users.OTHER).get("/videos/" + id);
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(foreign.headers().getValues("Set-Cookie")).isEmpty();
    }

    private static String value(String cookie) {
        return cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
    }

    /** CloudFront's URL-safe Base64: '-' for '+', '_' for '=', '~' for '/'. */
    private static byte[] cloudFrontDecode(String value) {
        return Base64.getDecoder()
                .decode(value.replace('-', '+').replace('_', '=').replace('~', '/'));
    }

    private static PublicKey publicKey() throws IOException, GeneralSecurityException {
        return KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(Files.readString(PUBLIC_KEY))));
    }

    /** Once per build: the profile's settings are read more than once, and by more than one class loader. */
    private static synchronized void makeKeyPair() {
        if (Files.exists(PRIVATE_KEY) && Files.exists(PUBLIC_KEY)) {
            return;
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            Files.createDirectories(PRIVATE_KEY.getParent());
            Files.writeString(
                    PUBLIC_KEY,
                    Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
            Files.writeString(PRIVATE_KEY, pem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
