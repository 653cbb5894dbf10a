package io.vodflow.upload;

import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedUploadPartRequest;

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

    private final S3Presigner presigner;
    private final String bucket;
    private final Duration lifetime;
    private final Duration partLifetime;
    private final long preferredPartSize;

    UploadUrls(S3Presigner presigner, VodflowConfig config) {
        this.presigner = presigner;
        this.bucket = config.storage().inputBucket();
        this.lifetime = config.upload().urlLifetime();
        this.partLifetime = config.upload().partUrlLifetime();
        this.preferredPartSize =
                Math.max(MIN_PART_SIZE, config.upload().partSize().asLongValue());
    }

    /** How long the part URLs of a multipart upload stay valid. */
    Duration partLifetime() {
        return partLifetime;
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
     * @return the URL and the headers the client must send with it
     */
    PresignedPutObjectRequest single(String key, String contentType, long size, AwsCredentialsProvider credentials) {
        return presigner.presignPutObject(
                presign -> presign.signatureDuration(lifetime).putObjectRequest(put -> put.bucket(bucket)
                        .overrideConfiguration(override -> override.credentialsProvider(credentials))
                        .key(key)
                        .contentType(contentType)
                        .contentLength(size)
                        // Only the first PUT succeeds: the URL cannot replace a source being processed.
                        .ifNoneMatch("*")));
    }

    List<UploadInstructions.Part> parts(
            String key, String uploadId, long fileSize, long partSize, AwsCredentialsProvider credentials) {
        int count = partCount(fileSize, partSize);
        List<UploadInstructions.Part> parts = new ArrayList<>(count);
        for (int number = 1; number <= count; number++) {
            int partNumber = number;
            long size = number < count ? partSize : fileSize - partSize * (count - 1);
            PresignedUploadPartRequest presigned = presigner.presignUploadPart(
                    presign -> presign.signatureDuration(partLifetime).uploadPartRequest(part -> part.bucket(bucket)
                            .overrideConfiguration(override -> override.credentialsProvider(credentials))
                            .key(key)
                            .uploadId(uploadId)
                            .partNumber(partNumber)
                            .contentLength(size)));
            parts.add(new UploadInstructions.Part(
                    partNumber, size, "PUT", presigned.url().toString()));
        }
        return parts;
    }

    /** The signed headers a client must send, without Host, which HTTP clients set themselves. */
    static Map<String, String> headersToSend(PresignedPutObjectRequest presigned) {
        Map<String, String> headers = new LinkedHashMap<>();
        presigned.signedHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                headers.put(canonical(name), String.join(",", values));
            }
        });
        return headers;
    }

    private static String canonical(String name) {
        return switch (name.toLowerCase()) {
            case "content-type" -> "Content-Type";
            case "content-length" -> "Content-Length";
            case "if-none-match" -> "If-None-Match";
            default -> name;
        };
    }
}
