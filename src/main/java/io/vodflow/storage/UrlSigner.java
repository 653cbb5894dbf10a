package io.vodflow.storage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Presigns S3 URLs with the AWS SDK's SigV4 signer. The SDK's {@link S3Presigner} runs a request's
 * whole pipeline for every URL (auth-scheme selection, endpoint rules, marshalling, the service's
 * interceptors), which cost twice what the signature does and was a sixth of a create's CPU. What
 * that pipeline resolves for one bucket (the endpoint and the signing scope) is the same for every
 * key in it, so the presigner resolves it once per bucket, from a URL it presigns for a placeholder
 * key; each URL after that is the signer's work alone, and the same URL the presigner would make.
 */
@ApplicationScoped
public class UrlSigner {

    private static final String PLACEHOLDER_KEY = "placeholder";
    /** The placeholder's URL is only read for its endpoint and scope, never used. */
    private static final StaticCredentialsProvider PLACEHOLDER_CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("endpoint", "resolution"));

    /** A presigned request: its URL, the headers its signature covers (the client must send them), and when it expires. */
    public record Presigned(String url, Map<String, String> headers, Instant expiration) {}

    /** Where a bucket's objects are, and the region and service their signatures are scoped to. */
    private record Endpoint(String protocol, String host, int port, String pathPrefix, String region, String service) {}

    private final S3Presigner presigner;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    @Inject
    UrlSigner(S3Presigner presigner) {
        this(presigner, Clock.systemUTC());
    }

    UrlSigner(S3Presigner presigner, Clock clock) {
        this.presigner = presigner;
        this.clock = clock;
    }

    /**
     * @param request the operation in HTTP terms: its method (GET unless set), headers and query
     *     parameters; the signature covers all of them
     */
    public Presigned presign(
            String bucket,
            String key,
            Consumer<SdkHttpRequest.Builder> request,
            Duration lifetime,
            AwsCredentialsIdentity credentials) {
        return presign(bucket, key, request, lifetime, null, credentials);
    }

    /**
     * As {@link #presign(String, String, Consumer, Duration, AwsCredentialsIdentity)}, for at most
     * {@code lifetime} and until {@code notAfter} at the latest (in whole seconds, as signatures count).
     */
    public Presigned presign(
            String bucket,
            String key,
            Consumer<SdkHttpRequest.Builder> request,
            Duration lifetime,
            Instant notAfter,
            AwsCredentialsIdentity credentials) {
        Endpoint endpoint = endpoints.computeIfAbsent(bucket, this::resolve);
        SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.GET)
                .protocol(endpoint.protocol())
                .host(endpoint.host())
                .port(endpoint.port())
                .encodedPath(endpoint.pathPrefix() + SdkHttpUtils.urlEncodeIgnoreSlashes(key))
                .applyMutation(request);
        Map<String, String> headers = new LinkedHashMap<>();
        unsigned.forEachHeader((name, values) -> headers.put(name, String.join(",", values)));
        Instant now = clock.instant();
        Duration left =
                notAfter == null ? lifetime : Duration.between(now, notAfter).truncatedTo(ChronoUnit.SECONDS);
        Duration signedFor = left.compareTo(lifetime) < 0 ? left : lifetime;
        SdkHttpRequest signed = signer.sign(sign -> sign.identity(credentials)
                        .request(unsigned.build())
                        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, endpoint.service())
                        .putProperty(AwsV4HttpSigner.REGION_NAME, endpoint.region())
                        .putProperty(
                                AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, signedFor)
                        .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                        .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                        .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(now, ZoneOffset.UTC)))
                .request();
        // Temporary credentials (web identity, EKS Pod Identity) take every URL signed with them along
        // when they expire, whatever its own lifetime: the URL is said to expire then.
        Instant expires = now.plus(signedFor);
        Instant credentialsExpire = credentials.expirationTime().orElse(expires);
        return new Presigned(url(signed), headers, credentialsExpire.isBefore(expires) ? credentialsExpire : expires);
    }

    /** {@link SdkHttpRequest#getUri()} as text, without parsing it back into a URI: that took a third of the time of signing a URL. */
    private static String url(SdkHttpRequest request) {
        String port = SdkHttpUtils.isUsingStandardPort(request.protocol(), request.port()) ? "" : ":" + request.port();
        String query = SdkHttpUtils.encodeAndFlattenQueryParameters(request.rawQueryParameters())
                .map(parameters -> "?" + parameters)
                .orElse("");
        return request.protocol() + "://" + request.host() + port + request.encodedPath() + query;
    }

    /** What the presigner resolves for the bucket: the URL's origin and path before the key, and the credential scope. */
    private Endpoint resolve(String bucket) {
        SdkHttpRequest resolved = presigner
                .presignGetObject(presign -> presign.signatureDuration(Duration.ofMinutes(1))
                        .getObjectRequest(get -> get.bucket(bucket)
                                .key(PLACEHOLDER_KEY)
                                .overrideConfiguration(
                                        override -> override.credentialsProvider(PLACEHOLDER_CREDENTIALS))))
                .httpRequest();
        String path = resolved.encodedPath();
        if (!path.endsWith("/" + PLACEHOLDER_KEY)) {
            throw new IllegalStateException("Unexpected S3 URL path for bucket " + bucket + ": " + path);
        }
        // AccessKeyId/date/region/service/aws4_request
        String[] scope = resolved.firstMatchingRawQueryParameter("X-Amz-Credential")
                .orElseThrow()
                .split("/");
        return new Endpoint(
                resolved.protocol(),
                resolved.host(),
                resolved.port(),
                path.substring(0, path.length() - PLACEHOLDER_KEY.length()),
                scope[2],
                scope[3]);
    }
}
