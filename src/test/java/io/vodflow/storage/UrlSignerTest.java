package io.vodflow.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.presigner.PresignedRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * A URL signed by {@link UrlSigner} is the one the SDK's presigner makes for the same request at the
 * same second, byte for byte: on AWS's virtual-hosted endpoints and on a path-style endpoint like the
 * embedded S3's, with long-term and with session credentials, for every operation vodflow presigns.
 */
class UrlSignerTest {

    private static final Duration LIFETIME = Duration.ofMinutes(15);
    private static final String BUCKET = "vodflow-input";
    /** Characters a key must have encoded, beside the slashes it keeps. */
    private static final String KEY = "sources/01JD-abc/my video+é=1.mp4";

    static Stream<Arguments> presigners() {
        S3Presigner aws = S3Presigner.builder().region(Region.EU_WEST_1).build();
        S3Presigner pathStyle = S3Presigner.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:4566"))
                .serviceConfiguration(
                        S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
        AwsCredentials basic = AwsBasicCredentials.create("AKIDEXAMPLE", "secret");
        AwsCredentials session = AwsSessionCredentials.create("ASIAEXAMPLE", "secret", "session/token+=");
        return Stream.of(
                Arguments.of("AWS, long-term credentials", aws, basic),
                Arguments.of("AWS, session credentials", aws, session),
                Arguments.of("path style, long-term credentials", pathStyle, basic),
                Arguments.of("path style, session credentials", pathStyle, session));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presigners")
    void aPutBoundToItsTypeSizeAndFirstWriteIsThePresignersUrl(
            String name, S3Presigner presigner, AwsCredentials credentials) {
        PresignedRequest expected = presigner.presignPutObject(
                presign -> presign.signatureDuration(LIFETIME).putObjectRequest(put -> put.bucket(BUCKET)
                        .key(KEY)
                        .contentType("video/mp4")
                        .contentLength(123_456L)
                        .ifNoneMatch("*")
                        .overrideConfiguration(signedWith(credentials))));

        UrlSigner.Presigned signed = signLike(expected, presigner, credentials, put -> put.method(SdkHttpMethod.PUT)
                .putHeader("Content-Type", "video/mp4")
                .putHeader("Content-Length", "123456")
                .putHeader("If-None-Match", "*"));

        assertThat(signed.url()).isEqualTo(expected.url().toString());
        assertThat(signed.expiration()).isEqualTo(expected.expiration());
        assertThat(signed.headers())
                .containsOnly(
                        Map.entry("Content-Type", "video/mp4"),
                        Map.entry("Content-Length", "123456"),
                        Map.entry("If-None-Match", "*"));
        assertThat(lowerCase(signed.headers())).isEqualTo(signedHeadersButHost(expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presigners")
    void aPartOfAMultipartUploadIsThePresignersUrl(String name, S3Presigner presigner, AwsCredentials credentials) {
        PresignedRequest expected = presigner.presignUploadPart(
                presign -> presign.signatureDuration(LIFETIME).uploadPartRequest(part -> part.bucket(BUCKET)
                        .key(KEY)
                        .uploadId("upload/id+1=")
                        .partNumber(7)
                        .contentLength(5_242_880L)
                        .overrideConfiguration(signedWith(credentials))));

        UrlSigner.Presigned signed = signLike(expected, presigner, credentials, part -> part.method(SdkHttpMethod.PUT)
                .putRawQueryParameter("partNumber", "7")
                .putRawQueryParameter("uploadId", "upload/id+1=")
                .putHeader("Content-Length", "5242880"));

        assertThat(signed.url()).isEqualTo(expected.url().toString());
        assertThat(lowerCase(signed.headers())).isEqualTo(signedHeadersButHost(expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presigners")
    void aGetIsThePresignersUrl(String name, S3Presigner presigner, AwsCredentials credentials) {
        PresignedRequest expected = presigner.presignGetObject(presign -> presign.signatureDuration(LIFETIME)
                .getObjectRequest(get -> get.bucket(BUCKET).key(KEY).overrideConfiguration(signedWith(credentials))));

        UrlSigner.Presigned signed = signLike(expected, presigner, credentials, get -> {});

        assertThat(signed.url()).isEqualTo(expected.url().toString());
        assertThat(signed.headers()).isEmpty();
    }

    @Test
    void aUrlSignedWithCredentialsThatExpireFirstIsSaidToExpireWithThem() {
        Instant now = Instant.parse("2026-12-03T08:00:00Z");
        AwsSessionCredentials expiring = AwsSessionCredentials.builder()
                .accessKeyId("ASIAEXAMPLE")
                .secretAccessKey("secret")
                .sessionToken("token")
                .expirationTime(now.plus(Duration.ofMinutes(4)))
                .build();
        UrlSigner signer =
                new UrlSigner(S3Presigner.builder().region(Region.EU_WEST_1).build(), Clock.fixed(now, ZoneOffset.UTC));

        assertThat(signer.presign(BUCKET, KEY, get -> {}, LIFETIME, expiring).expiration())
                .as("storage refuses the URL once its credentials expire")
                .isEqualTo(now.plus(Duration.ofMinutes(4)));
        assertThat(signer.presign(BUCKET, KEY, get -> {}, Duration.ofMinutes(3), expiring)
                        .expiration())
                .isEqualTo(now.plus(Duration.ofMinutes(3)));
    }

    private static Consumer<AwsRequestOverrideConfiguration.Builder> signedWith(AwsCredentials credentials) {
        return override -> override.credentialsProvider(StaticCredentialsProvider.create(credentials));
    }

    /** {@code request} signed by a {@link UrlSigner} whose clock reads what the presigner's did when it signed {@code expected}. */
    private static UrlSigner.Presigned signLike(
            PresignedRequest expected,
            S3Presigner presigner,
            AwsCredentials credentials,
            Consumer<SdkHttpRequest.Builder> request) {
        Clock presignersClock = Clock.fixed(expected.expiration().minus(LIFETIME), ZoneOffset.UTC);
        return new UrlSigner(presigner, presignersClock).presign(BUCKET, KEY, request, LIFETIME, credentials);
    }

    private static Map<String, String> signedHeadersButHost(PresignedRequest presigned) {
        Map<String, String> headers = new TreeMap<>();
        presigned.signedHeaders().forEach((header, values) -> {
            if (!header.equals("host")) {
                headers.put(header, String.join(",", values));
            }
        });
        return headers;
    }

    private static Map<String, String> lowerCase(Map<String, String> headers) {
        Map<String, String> lower = new TreeMap<>();
        headers.forEach((header, value) -> lower.put(header.toLowerCase(), value));
        return lower;
    }
}
