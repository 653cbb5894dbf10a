package io.vodflow.upload;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vodflow.config.VodflowConfig;
import io.vodflow.problem.ApiProblem;
import io.vodflow.video.Video;
import io.vodflow.video.VideoKeys;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoService;
import io.vodflow.video.VideoStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * Creates videos and their upload URLs, completes and aborts multipart uploads. Nothing is written
 * before the request is valid, and a failure after S3 started a multipart upload aborts it again.
 */
@ApplicationScoped
public class UploadService {

    private static final Logger LOG = Logger.getLogger(UploadService.class);

    private final CreateVideoValidator validator;
    private final UploadUrls urls;
    private final VideoRepository videos;
    private final VideoService videoService;
    private final S3AsyncClient s3;
    private final String bucket;
    private final long multipartThreshold;

    UploadService(
            CreateVideoValidator validator,
            UploadUrls urls,
            VideoRepository videos,
            VideoService videoService,
            S3AsyncClient s3,
            VodflowConfig config) {
        this.validator = validator;
        this.urls = urls;
        this.videos = videos;
        this.videoService = videoService;
        this.s3 = s3;
        this.bucket = config.storage().inputBucket();
        this.multipartThreshold = config.upload().multipartThreshold().asLongValue();
    }

    /** A new video and how to upload its file. */
    public record Created(Video video, UploadInstructions upload) {}

    public Uni<Created> create(CreateVideoRequest request) {
        validator.validate(request);
        String id = VideoKeys.newId();
        String key = VideoKeys.source(id);
        Instant now = Instant.now();
        Video.OutputWishes wishes = request.output() == null
                ? null
                : new Video.OutputWishes(
                        request.output().maxHeight(), request.output().maxBitrate());
        long size = request.sizeBytes();
        if (size <= multipartThreshold) {
            Video video = Video.created(
                    id,
                    request.title(),
                    new Video.Source(request.fileName(), request.contentType(), size, key, null, 0, 0, null),
                    wishes,
                    now);
            return offloaded(() -> urls.single(key, request.contentType(), size))
                    .flatMap(presigned ->
                            videos.insert(video).map(stored -> new Created(stored, single(id, presigned))));
        }
        long partSize = urls.partSize(size);
        return Uni.createFrom()
                .completionStage(() -> s3.createMultipartUpload(
                        upload -> upload.bucket(bucket).key(key).contentType(request.contentType())))
                .flatMap(started -> {
                    String uploadId = started.uploadId();
                    int partCount = UploadUrls.partCount(size, partSize);
                    Video video = Video.created(
                            id,
                            request.title(),
                            new Video.Source(
                                    request.fileName(),
                                    request.contentType(),
                                    size,
                                    key,
                                    uploadId,
                                    partCount,
                                    partSize,
                                    null),
                            wishes,
                            now);
                    return offloaded(() -> urls.parts(key, uploadId, size, partSize))
                            .flatMap(parts -> videos.insert(video)
                                    .map(stored -> new Created(
                                            stored,
                                            UploadInstructions.multipart(
                                                    uploadId,
                                                    partSize,
                                                    parts,
                                                    uploadPath(id) + "/complete",
                                                    uploadPath(id),
                                                    now.plus(urls.partLifetime())))))
                            .onFailure()
                            .call(() -> abortQuietly(key, uploadId));
                });
    }

    /** Completes a multipart upload with the parts' ETags. */
    public Uni<Video> complete(String id, CompleteUploadRequest request) {
        return videoService.get(id).flatMap(video -> {
            Video.Source source = video.source();
            if (!source.multipart()) {
                throw ApiProblem.conflict("This video is uploaded with a single PUT; there is nothing to complete");
            }
            if (source.uploadCompletedAt() != null || video.status() != VideoStatus.AWAITING_UPLOAD) {
                throw ApiProblem.conflict("The upload of this video is already " + describeState(video));
            }
            List<CompletedPart> parts = checkParts(request, source.partCount());
            return Uni.createFrom()
                    .completionStage(() -> s3.completeMultipartUpload(complete -> complete.bucket(bucket)
                            .key(source.key())
                            .uploadId(source.multipartUploadId())
                            .multipartUpload(upload -> upload.parts(parts))))
                    .onFailure(NoSuchUploadException.class)
                    .transform(e -> ApiProblem.conflict("The upload was already completed or aborted"))
                    .onFailure(S3Exception.class)
                    .transform(UploadService::partProblem)
                    .flatMap(done -> videos.update(
                            id,
                            current -> current.source().uploadCompletedAt() == null
                                    ? current.change(Instant.now())
                                            .source(current.source().completed(Instant.now()))
                                            .build()
                                    : current));
        });
    }

    /** Abandons an upload that has not arrived: the video ends CANCELED. */
    public Uni<Void> abort(String id) {
        return videoService.get(id).flatMap(video -> {
            if (video.status() != VideoStatus.AWAITING_UPLOAD || video.source().uploadCompletedAt() != null) {
                throw ApiProblem.conflict("The upload of this video is already " + describeState(video));
            }
            Uni<Void> abortParts = video.source().multipart()
                    ? abortQuietly(video.source().key(), video.source().multipartUploadId())
                    : Uni.createFrom().voidItem();
            return abortParts
                    .flatMap(ignored -> videos.update(
                            id,
                            current -> current.status() == VideoStatus.AWAITING_UPLOAD
                                    ? current.change(Instant.now())
                                            .status(VideoStatus.CANCELED)
                                            .error(new Video.Failure("UPLOAD_ABORTED", "The upload was aborted"))
                                            .build()
                                    : current))
                    .replaceWithVoid();
        });
    }

    /** Aborts a multipart upload; one already gone is fine. */
    Uni<Void> abortQuietly(String key, String uploadId) {
        return Uni.createFrom()
                .completionStage(() -> s3.abortMultipartUpload(
                        abort -> abort.bucket(bucket).key(key).uploadId(uploadId)))
                .replaceWithVoid()
                .onFailure(NoSuchUploadException.class)
                .recoverWithNull()
                .onFailure()
                .invoke(e -> LOG.warnf(e, "Could not abort multipart upload %s of %s", uploadId, key))
                .onFailure()
                .recoverWithNull();
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
        }
        return parts.stream()
                .sorted(Comparator.comparing(CompleteUploadRequest.Part::partNumber))
                .map(part -> CompletedPart.builder()
                        .partNumber(part.partNumber())
                        .eTag(part.eTag())
                        .build())
                .toList();
    }

    private static Throwable partProblem(Throwable failure) {
        if (failure instanceof S3Exception s3 && s3.statusCode() == 400) {
            String code =
                    s3.awsErrorDetails() == null ? "" : s3.awsErrorDetails().errorCode();
            String detail =
                    switch (code) {
                        case "InvalidPart" -> "A part was not uploaded, or its eTag does not match what S3 stored";
                        case "EntityTooSmall" -> "A part other than the last is smaller than S3's 5 MiB minimum";
                        default -> "S3 refused the part list: " + s3.getMessage();
                    };
            return ApiProblem.invalidField("parts", detail);
        }
        return failure;
    }

    private static String describeState(Video video) {
        return switch (video.status()) {
            case AWAITING_UPLOAD -> "completed";
            case CANCELED -> "canceled";
            default -> "received (status " + video.status() + ")";
        };
    }

    private static UploadInstructions single(String id, PresignedPutObjectRequest presigned) {
        return UploadInstructions.single(
                presigned.url().toString(),
                UploadUrls.headersToSend(presigned),
                uploadPath(id),
                presigned.expiration());
    }

    private static String uploadPath(String id) {
        return "/videos/" + id + "/upload";
    }

    /**
     * Presigning is CPU work, but resolving credentials may call an identity service: keep both off
     * the event loop.
     */
    private static <T> Uni<T> offloaded(Supplier<T> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
