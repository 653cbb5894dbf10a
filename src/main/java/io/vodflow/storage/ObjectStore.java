package io.vodflow.storage;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;
import org.reactivestreams.FlowAdapters;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The operations on stored objects that several features share: looking one up, removing objects
 * and prefixes, abandoning a multipart upload, and handing a tool a presigned GET URL instead of
 * credentials.
 */
@ApplicationScoped
public class ObjectStore {

    private static final Logger LOG = Logger.getLogger(ObjectStore.class);
    /** What S3 answers for a key of a DeleteObjects batch when it is busy: worth another try. */
    private static final Set<String> PASSING_DELETE_ERRORS =
            Set.of("SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout");
    /** DeleteObjects takes at most this many keys. */
    private static final int DELETE_BATCH = 1000;

    private final S3AsyncClient s3;
    private final UrlSigner signer;
    private final SigningCredentials signing;

    ObjectStore(S3AsyncClient s3, UrlSigner signer, SigningCredentials signing) {
        this.s3 = s3;
        this.signer = signer;
        this.signing = signing;
    }

    /** Whether storage is reached over HTTPS: AWS always, an S3-compatible store if its endpoint says so. */
    public boolean overTls() {
        return s3.serviceClientConfiguration()
                .endpointOverride()
                .map(endpoint -> "https".equalsIgnoreCase(endpoint.getScheme()))
                .orElse(true);
    }

    /** The object's metadata, or null when there is no such object. */
    public Uni<HeadObjectResponse> head(String bucket, String key) {
        return Uni.createFrom()
                .completionStage(() -> s3.headObject(head -> head.bucket(bucket).key(key)))
                .onFailure(NoSuchKeyException.class)
                .recoverWithNull();
    }

    /**
     * Deletes these keys, a thousand at a time; keys already gone are fine. Fails when storage was too
     * busy to delete one (S3 answers a batch with 200 and lists each key it failed, and why), so that
     * whatever refers to the keys stays to try again.
     */
    public Uni<Void> delete(String bucket, List<String> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> batch = keys.subList(0, Math.min(keys.size(), DELETE_BATCH));
        List<String> rest = keys.subList(batch.size(), keys.size());
        return Uni.createFrom()
                .completionStage(
                        () -> s3.deleteObjects(delete -> delete.bucket(bucket).delete(objects -> objects.quiet(true)
                                .objects(batch.stream()
                                        .map(key -> ObjectIdentifier.builder()
                                                .key(key)
                                                .build())
                                        .toList()))))
                .invoke(response -> {
                    response.errors()
                            .forEach(error -> LOG.warnf(
                                    "Could not delete s3://%s/%s: %s (%s)",
                                    bucket, error.key(), error.message(), error.code()));
                    long passing = response.errors().stream()
                            .filter(error -> PASSING_DELETE_ERRORS.contains(error.code()))
                            .count();
                    if (passing > 0) {
                        // A 503 to an API caller, a retry to a consumer or the reconciler. Other refusals
                        // (AccessDenied, a retention lock) would not pass: they stay logged.
                        throw SdkClientException.create("Storage could not delete " + passing + " of " + batch.size()
                                + " objects in s3://" + bucket + " for now");
                    }
                })
                .flatMap(ignored -> delete(bucket, rest));
    }

    /** Deletes every object under {@code prefix}, a listing page at a time. */
    public Uni<Void> deletePrefix(String bucket, String prefix) {
        return Uni.createFrom()
                .completionStage(
                        () -> s3.listObjectsV2(list -> list.bucket(bucket).prefix(prefix)))
                .flatMap(page -> {
                    Uni<Void> deleted = delete(
                            bucket,
                            page.contents().stream().map(object -> object.key()).toList());
                    return Boolean.TRUE.equals(page.isTruncated())
                            ? deleted.flatMap(ignored -> deletePrefix(bucket, prefix))
                            : deleted;
                });
    }

    /** Every key under {@code prefix}. */
    public Uni<Set<String>> keys(String bucket, String prefix) {
        return listing(bucket, prefix).collect().asSet();
    }

    /** The last key under {@code prefix} in key order, or null when there is none. */
    public Uni<String> lastKey(String bucket, String prefix) {
        return listing(bucket, prefix).collect().last();
    }

    private Multi<String> listing(String bucket, String prefix) {
        return Multi.createFrom()
                .publisher(FlowAdapters.toFlowPublisher(
                        s3.listObjectsV2Paginator(list -> list.bucket(bucket).prefix(prefix))
                                .contents()))
                .map(S3Object::key);
    }

    /** An object's content as text; fails with NoSuchKeyException when there is none. */
    public Uni<String> read(String bucket, String key) {
        return Uni.createFrom()
                .completionStage(
                        () -> s3.getObject(get -> get.bucket(bucket).key(key), AsyncResponseTransformer.toBytes()))
                .map(bytes -> bytes.asUtf8String());
    }

    /**
     * Abandons a multipart upload and the parts sent so far; one already completed or aborted is fine.
     * Fails when storage did not answer: callers look for the file once no completion can follow, and
     * an upload that may still complete is not abandoned.
     */
    public Uni<Void> abortUpload(String bucket, String key, String uploadId) {
        return Uni.createFrom()
                .completionStage(() -> s3.abortMultipartUpload(
                        abort -> abort.bucket(bucket).key(key).uploadId(uploadId)))
                .replaceWithVoid()
                .onFailure(NoSuchUploadException.class)
                .recoverWithNull();
    }

    /**
     * Whether an upload's file is in storage, looked for once no completion can follow: a multipart
     * upload is abandoned first (and fails this when storage does not answer).
     *
     * @param multipartUploadId the upload's multipart upload, or null for a single PUT
     */
    public Uni<Boolean> arrivedOnceClosed(String bucket, String key, String multipartUploadId) {
        Uni<Void> closed =
                multipartUploadId == null ? Uni.createFrom().voidItem() : abortUpload(bucket, key, multipartUploadId);
        return closed.flatMap(ignored -> head(bucket, key)).map(head -> head != null);
    }

    /**
     * A URL that reads one object for {@code lifetime}, for ffmpeg and ffprobe: no credentials leave
     * the service. Signed with credentials at hand ({@link SigningCredentials}), so it does not block.
     */
    public Uni<String> presignGet(S3Uri location, Duration lifetime) {
        return signing.current()
                .map(credentials -> signer.presign(location.bucket(), location.key(), get -> {}, lifetime, credentials)
                        .url());
    }
}
