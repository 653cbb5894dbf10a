package io.vodflow.upload;

import io.vodflow.config.VodflowConfig;
import io.vodflow.storage.UrlSigner;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Presigns the PUTs a client uploads with. Every URL is bound to one key of the input bucket, and
 * its signature covers the Content-Type and Content-Length, so S3 refuses any other key, type or size.
 * No ACL is ever set: uploads stay private.
 */
@ApplicationScoped
class UploadUrls {

    /** S3's smallest part, except the last one. */
    static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    /** S3's largest part count. */
    static final int MAX_PARTS = 10_000;

    private static final long MIB = 1024 * 1024;

    private final UrlSigner signer;
    private final String bucket;
    private final Duration lifetime;
    private final Duration partLifetime;
    private final long preferredPartSize;

    UploadUrls(UrlSigner signer, VodflowConfig config) {
        this.signer = signer;
        this.bucket = config.storage().inputBucket();
        this.lifetime = config.upload().urlLifetime();
        this.partLifetime = config.upload().partUrlLifetime();
        this.preferredPartSize =
                Math.max(MIN_PART_SIZE, config.upload().partSize().asLongValue());
    }

    /** The part size for a file: the preferred one, grown in whole MiB to stay within 10,000 parts. */
    long partSize(long fileSize) {
        long needed = -Math.floorDiv(-fileSize, MAX_PARTS);
        if (needed <= preferredPartSize) {
            return preferredPartSize;
        }
        return -Math.floorDiv(-needed, MIB) * MIB;
    }

    static int partCount(long fileSize, long partSize) {
        return (int) -Math.floorDiv(-fileSize, partSize);
    }

    /**
     * @param credentials what to sign with ({@code storage.SigningCredentials}), here and in
     *     {@link #parts}, so that signing does not block
     * @return the URL and the headers the client must send with it (HTTP clients set Host themselves)
     */
    UrlSigner.Presigned single(String key, String contentType, long size, AwsCredentialsIdentity credentials) {
        return signer.presign(
                bucket,
                key,
                put -> put.method(SdkHttpMethod.PUT)
                        .putHeader("Content-Type", contentType)
                        .putHeader("Content-Length", Long.toString(size))
                        // Only the first PUT succeeds: the URL cannot replace a source being processed.
                        .putHeader("If-None-Match", "*"),
                lifetime,
                credentials);
    }

    /** Every part's URL, and when they expire (all at once). */
    record SignedParts(List<UploadInstructions.Part> parts, Instant expiresAt) {}

    /** @param deadline when the upload's time ends: no part URL outlives it */
    SignedParts parts(
            String key,
            String uploadId,
            long fileSize,
            long partSize,
            Instant deadline,
            AwsCredentialsIdentity credentials) {
        int count = partCount(fileSize, partSize);
        List<UploadInstructions.Part> parts = new ArrayList<>(count);
        Instant expiresAt = null;
        for (int number = 1; number <= count; number++) {
            String partNumber = Integer.toString(number);
            long size = number < count ? partSize : fileSize - partSize * (count - 1);
            UrlSigner.Presigned presigned = signer.presign(
                    bucket,
                    key,
                    part -> part.method(SdkHttpMethod.PUT)
                            .putRawQueryParameter("partNumber", partNumber)
                            .putRawQueryParameter("uploadId", uploadId)
                            .putHeader("Content-Length", Long.toString(size)),
                    partLifetime,
                    deadline,
                    credentials);
            parts.add(new UploadInstructions.Part(number, size, "PUT", presigned.url()));
            expiresAt = presigned.expiration();
        }
        return new SignedParts(parts, expiresAt);
    }
}
