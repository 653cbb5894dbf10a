package io.vodflow.upload;

import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.problem.ApiProblem;
import io.vodflow.security.Caller;
import io.vodflow.security.LinkSigner;
import io.vodflow.storage.ObjectStore;
import io.vodflow.storage.SigningCredentials;
import io.vodflow.storage.VideoKeys;
import io.vodflow.support.Offload;
import io.vodflow.support.VideoSpans;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Creates videos and their upload URLs, completes and aborts multipart uploads. Nothing is written
 * before the request is valid, and a failure after S3 started a multipart upload aborts it again.
 */
@ApplicationScoped
public class UploadService {

    /**
     * Parts are signed again no later than this before the upload's deadline: storage's signature
     * counts whole seconds and needs one at least. (The page asks again within a minute of its URLs'
     * end, so a longer margin would refuse its last renewals.)
     */
    private static final Duration LAST_RENEWAL = Duration.ofSeconds(2);

    private static final Logger LOG = Logger.getLogger(UploadService.class);
    /** An ETag as storage sends it (quoted hexadecimal on S3): short, and visible ASCII only. */
    private static final Pattern ETAG = Pattern.compile("[\\x21-\\x7E]{1,128}");

    private final UploadUrls urls;
    private final Quotas quotas;
    private final VideoRepository videos;
    private final ObjectStore store;
    private final SigningCredentials signing;
    private final S3AsyncClient s3;
    private final LinkSigner signer;
    private final String bucket;
    private final long multipartThreshold;
    private final Duration linkLifetime;
    private final Duration uploadGrace;

    UploadService(
            UploadUrls urls,
            VideoRepository videos,
            Quotas quotas,
            ObjectStore store,
            SigningCredentials signing,
            S3AsyncClient s3,
            LinkSigner signer,
            VodflowConfig config) {
        this.urls = urls;
        this.quotas = quotas;
        this.videos = videos;
        this.store = store;
        this.signing = signing;
        this.s3 = s3;
        this.signer = signer;
        this.bucket = config.storage().inputBucket();
        this.multipartThreshold = config.upload().multipartThreshold().asLongValue();
        this.linkLifetime = config.upload().longestUrlLifetime();
        this.uploadGrace = config.reconciler().uploadGrace();
    }

    /** The answer to a create: the video's id and how to upload its file. */
    @Schema(name = "CreatedVideo")
    public record CreatedVideo(String id, VideoStatus status, UploadInstructions upload) {}

    /**
     * Creates a video for the caller, within their quotas.
     *
     * @param request already checked against its constraints
     */
    public Uni<CreatedVideo> create(Caller caller, CreateVideoRequest request) {
        Instant now = Instant.now();
        // Read here, on the request's thread: the pipeline's later spans join this request's trace.
        String trace = VideoSpans.currentTraceparent();
        return quotas.admit(caller, request.sizeBytes(), now)
                .flatMap(admitted -> createAdmitted(caller, request, trace, now)
                        .onFailure()
                        .call(() -> quotas.giveBack(caller, request.sizeBytes(), now)));
    }

    private Uni<CreatedVideo> createAdmitted(Caller caller, CreateVideoRequest request, String trace, Instant now) {
        String id = VideoKeys.newId();
        String key = VideoKeys.source(id);
        long size = request.sizeBytes();
        if (size <= multipartThreshold) {
            Video video = Video.created(
                    id,
                    caller.subject(),
                    request.title(),
                    declared(request, key, null, 0, 0),
                    request.output(),
                    trace,
                    now);
            return signing.current()
                    .map(credentials -> urls.single(key, request.contentType(), size, credentials))
                    .flatMap(presigned -> videos.insert(video)
                            .map(stored -> new CreatedVideo(
                                    id,
                                    stored.status(),
                                    UploadInstructions.single(
                                            presigned.url(),
                                            presigned.headers(),
                                            uploadLink(id, LinkSigner.Purpose.UPLOAD_ABORT, linksEnd(now)),
                                            presigned.expiration()))));
        }
        return Uni.createFrom()
                .completionStage(() -> s3.createMultipartUpload(
                        upload -> upload.bucket(bucket).key(key).contentType(request.contentType())))
                .flatMap(started -> createMultipart(caller, request, id, started.uploadId(), trace, now)
                        .onFailure()
                        .call(() -> store.abortUpload(bucket, key, started.uploadId())
                                .onFailure()
                                .invoke(e -> LOG.warnf("Could not abort the upload of a failed creation: %s", e))
                                .onFailure()
                                .recoverWithNull()));
    }

    private Uni<CreatedVideo> createMultipart(
            Caller caller, CreateVideoRequest request, String id, String uploadId, String trace, Instant now) {
        String key = VideoKeys.source(id);
        long size = request.sizeBytes();
        long partSize = urls.partSize(size);
        int partCount = UploadUrls.partCount(size, partSize);
        Video video = Video.created(
                id,
                caller.subject(),
                request.title(),
                declared(request, key, uploadId, partCount, partSize),
                request.output(),
                trace,
                now);
        return multipartInstructions(id, uploadId, size, partSize, now).flatMap(instructions -> videos.insert(video)
                .map(stored -> new CreatedVideo(id, stored.status(), instructions)));
    }

    /**
     * Signs the parts of a multipart upload again, with the credentials of now. URLs signed with
     * temporary credentials (web identity, EKS Pod Identity) stop working when those expire, which a
     * long upload may outlast; the upload's client asks for new ones then. They expire no later than
     * the first ones did: the reconciler gives up an upload that has not arrived by then.
     *
     * @param video as read for a caller who may reach it
     */
    public Uni<UploadInstructions> renewParts(Video video) {
        Video.Source source = video.source();
        ApiProblem closed = partsClosed(video, "This video is uploaded with a single PUT; it has no parts");
        if (closed != null) {
            return Uni.createFrom().failure(closed);
        }
        Instant deadline = uploadDeadline(video.createdAt());
        if (Instant.now().plus(LAST_RENEWAL).isAfter(deadline)) {
            return Uni.createFrom()
                    .failure(ApiProblem.conflict(
                            "The time to upload this video runs out at " + deadline + "; create it again"));
        }
        return multipartInstructions(
                video.id(), source.multipartUploadId(), source.sizeBytes(), source.partSize(), video.createdAt());
    }

    private Uni<UploadInstructions> multipartInstructions(
            String id, String uploadId, long size, long partSize, Instant createdAt) {
        String key = VideoKeys.source(id);
        Instant deadline = uploadDeadline(createdAt);
        Instant linksEnd = linksEnd(createdAt);
        // Up to 10,000 signatures: CPU-heavy, so on a worker.
        return signing.current()
                .flatMap(credentials ->
                        Offload.of(() -> urls.parts(key, uploadId, size, partSize, deadline, credentials)))
                .map(signed -> UploadInstructions.multipart(
                        uploadId,
                        partSize,
                        signed.parts(),
                        uploadLink(id, LinkSigner.Purpose.UPLOAD_COMPLETE, linksEnd),
                        uploadLink(id, LinkSigner.Purpose.UPLOAD_PARTS, linksEnd),
                        uploadLink(id, LinkSigner.Purpose.UPLOAD_ABORT, linksEnd),
                        signed.expiresAt()));
    }

    /**
     * When the upload URLs of a video created at {@code createdAt} end, however often signed again:
     * its file must have been sent by then.
     */
    private Instant uploadDeadline(Instant createdAt) {
        return createdAt.plus(linkLifetime);
    }

    /**
     * When the links that complete, abort or sign again an upload end: as long after its URLs as the
     * reconciler waits before it gives the upload up, so that a part sent at the last moment can still
     * be completed.
     */
    private Instant linksEnd(Instant createdAt) {
        return uploadDeadline(createdAt).plus(uploadGrace);
    }

    /**
     * The link that completes, aborts or signs again the parts of the upload: signed, so that an upload
     * which outlasts the caller's token (parts may go up for hours) can still be completed, or
     * abandoned when it fails. Each link opens its own action only: whoever holds the link that
     * completes the upload cannot abort it, nor have its parts signed again.
     */
    private String uploadLink(String id, LinkSigner.Purpose action, Instant expires) {
        String path =
                switch (action) {
                    case UPLOAD_COMPLETE -> "/upload/complete";
                    case UPLOAD_PARTS -> "/upload/parts";
                    case UPLOAD_ABORT -> "/upload";
                    default -> throw new IllegalArgumentException(action + " is not an upload's action");
                };
        return "/videos/" + id + path + "?access=" + signer.sign(action, id, expires);
    }

    private static Video.Source declared(
            CreateVideoRequest request, String key, String uploadId, int partCount, long partSize) {
        return new Video.Source(
                request.fileName(),
                request.contentType(),
                request.sizeBytes(),
                key,
                uploadId,
                partCount,
                partSize,
                null);
    }

    /**
     * Completes a multipart upload with the parts' ETags.
     *
     * @param video as read for a caller who may reach it
     */
    public Uni<Video> complete(Video video, CompleteUploadRequest request) {
        String id = video.id();
        return Uni.createFrom().deferred(() -> {
            Video.Source source = video.source();
            ApiProblem closed =
                    partsClosed(video, "This video is uploaded with a single PUT; there is nothing to complete");
            if (closed != null) {
                throw closed;
            }
            List<CompletedPart> parts = checkParts(request, source.partCount());
            return Uni.createFrom()
                    .completionStage(() -> s3.completeMultipartUpload(complete -> complete.bucket(bucket)
                            .key(source.key())
                            .uploadId(source.multipartUploadId())
                            .multipartUpload(upload -> upload.parts(parts))))
                    .replaceWithVoid()
                    // Storage may have completed it before, its answer lost (or the record's write failed
                    // after it): then the file is there, only this upload can have made it, and this
                    // completion records it.
                    .onFailure(S3Exception.class)
                    .recoverWithUni(refused -> store.head(bucket, source.key()).map(head -> {
                        if (head == null) {
                            throw refused instanceof NoSuchUploadException
                                    ? ApiProblem.conflict("The upload was aborted; create the video again")
                                    : partProblem((S3Exception) refused);
                        }
                        return null;
                    }))
                    .flatMap(done -> videos.update(id, current -> current.partsCompleted(Instant.now())))
                    // A delete that won the race: the upload is the deleted video's, and goes with it.
                    .map(stored -> {
                        if (stored == null || stored.isDeleting()) {
                            throw ApiProblem.notFound("The video was deleted while its upload was completed");
                        }
                        if (stored.status() == VideoStatus.CANCELED) {
                            throw ApiProblem.conflict("The upload of this video was canceled meanwhile");
                        }
                        return stored;
                    });
        });
    }

    /**
     * Abandons an upload that has not arrived: the video ends CANCELED. A file that is in storage
     * already arrived, whatever its uploader heard (a PUT or a completion whose answer was lost): it
     * is not thrown away. Parts are abandoned at storage before that is checked, so that no completion
     * can follow the check.
     *
     * @param video as read for a caller who may reach it
     */
    public Uni<Void> abort(Video video) {
        if (video.status() != VideoStatus.AWAITING_UPLOAD || video.source().uploadCompletedAt() != null) {
            return Uni.createFrom()
                    .failure(ApiProblem.conflict("The upload of this video is already " + describeState(video)));
        }
        Video.Source source = video.source();
        return store.arrivedOnceClosed(bucket, source.key(), source.multipartUploadId())
                .flatMap(arrived -> {
                    if (arrived) {
                        throw ApiProblem.conflict("The upload of this video already arrived");
                    }
                    return videos.update(video.id(), current -> current.uploadAborted(Instant.now()));
                })
                .replaceWithVoid();
    }

    private static List<CompletedPart> checkParts(CompleteUploadRequest request, int expected) {
        if (request == null || request.parts() == null || request.parts().isEmpty()) {
            throw ApiProblem.invalidField("parts", "parts is required: one entry per uploaded part");
        }
        List<CompleteUploadRequest.Part> parts = request.parts();
        if (parts.size() != expected) {
            throw ApiProblem.invalidField(
                    "parts", "The upload has " + expected + " parts; " + parts.size() + " were listed");
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < parts.size(); i++) {
            CompleteUploadRequest.Part part = parts.get(i);
            if (part == null || part.partNumber() == null || part.partNumber() < 1 || part.partNumber() > expected) {
                throw ApiProblem.invalidField(
                        "parts[" + i + "].partNumber", "partNumber must be between 1 and " + expected);
            }
            if (!seen.add(part.partNumber())) {
                throw ApiProblem.invalidField(
                        "parts[" + i + "].partNumber", "Part " + part.partNumber() + " is listed twice");
            }
            if (part.eTag() == null || part.eTag().isBlank()) {
                throw ApiProblem.invalidField("parts[" + i + "].eTag", "eTag is required");
            }
            if (!ETAG.matcher(part.eTag()).matches()) {
                throw ApiProblem.invalidField(
                        "parts[" + i + "].eTag",
                        "eTag must be the ETag header that storage answered the part's upload with");
            }
        }
        return parts.stream()
                .sorted(Comparator.comparing(CompleteUploadRequest.Part::partNumber))
                .map(part -> CompletedPart.builder()
                        .partNumber(part.partNumber())
                        .eTag(part.eTag())
                        .build())
                .toList();
    }

    private static RuntimeException partProblem(S3Exception s3) {
        if (s3.statusCode() == 400) {
            String code = s3.awsErrorDetails() == null || s3.awsErrorDetails().errorCode() == null
                    ? ""
                    : s3.awsErrorDetails().errorCode();
            String detail =
                    switch (code) {
                        case "InvalidPart" -> "A part was not uploaded, or its eTag does not match what S3 stored";
                        case "EntityTooSmall" -> "A part other than the last is smaller than S3's 5 MiB minimum";
                        default -> {
                            // The SDK's message names the service, request ids and endpoint: the log's, not the
                            // client's.
                            LOG.warnf("S3 refused the part list of an upload: %s", s3.getMessage());
                            yield code.isEmpty()
                                    ? "S3 refused the part list"
                                    : "S3 refused the part list (" + code + ")";
                        }
                    };
            return ApiProblem.invalidField("parts", detail);
        }
        return s3;
    }

    /** Why the parts of the video's upload are past sending, or null while they may be sent. */
    private static ApiProblem partsClosed(Video video, String ifSinglePut) {
        if (!video.source().multipart()) {
            return ApiProblem.conflict(ifSinglePut);
        }
        if (video.source().uploadCompletedAt() != null || video.status() != VideoStatus.AWAITING_UPLOAD) {
            return ApiProblem.conflict("The upload of this video is already " + describeState(video));
        }
        return null;
    }

    private static String describeState(Video video) {
        return switch (video.status()) {
            case AWAITING_UPLOAD -> "completed";
            case CANCELED -> "canceled";
            default -> "received (status " + video.status() + ")";
        };
    }
}
