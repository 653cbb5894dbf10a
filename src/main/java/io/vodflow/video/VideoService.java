package io.vodflow.video;

import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.problem.ApiProblem;
import io.vodflow.transcode.Transcoder;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/** Reading, listing and deleting videos. */
@ApplicationScoped
public class VideoService {

    private static final Logger LOG = Logger.getLogger(VideoService.class);
    public static final int DEFAULT_PAGE_SIZE = 20;
    public static final int MAX_PAGE_SIZE = 100;

    private final VideoRepository videos;
    private final S3AsyncClient s3;
    private final Transcoder transcoder;
    private final VodflowConfig.Storage storage;

    VideoService(VideoRepository videos, S3AsyncClient s3, Transcoder transcoder, VodflowConfig config) {
        this.videos = videos;
        this.s3 = s3;
        this.transcoder = transcoder;
        this.storage = config.storage();
    }

    /** @throws ApiProblem 404 when there is no such video */
    public Uni<Video> get(String id) {
        Uni<Video> found =
                VideoKeys.isValidId(id) ? videos.find(id) : Uni.createFrom().nullItem();
        return found.onItem().ifNull().failWith(() -> ApiProblem.notFound("There is no video " + id));
    }

    /**
     * @param limit page size as the client sent it, parsed here so that a bad value is a 400 naming it
     */
    public Uni<VideoRepository.Page> list(String limit, String cursor) {
        int size = parseLimit(limit);
        try {
            return videos.list(size, cursor == null || cursor.isBlank() ? null : cursor);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.invalidField("cursor", e.getMessage());
        }
    }

    private static int parseLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_PAGE_SIZE;
        }
        try {
            int size = Integer.parseInt(limit.trim());
            if (size >= 1 && size <= MAX_PAGE_SIZE) {
                return size;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiProblem.invalidField("limit", "limit must be a whole number between 1 and " + MAX_PAGE_SIZE);
    }

    /**
     * Removes the video: stops its job, then removes the record, so that nothing refers to what is
     * removed next, then its pending upload, its source and every output.
     */
    public Uni<Void> delete(String id) {
        return get(id).flatMap(video -> cancelJob(video)
                .flatMap(ignored -> videos.delete(id))
                .flatMap(ignored -> abortUpload(video))
                .flatMap(ignored -> deleteObjects(
                        storage.inputBucket(), List.of(video.source().key())))
                .flatMap(ignored -> deleteOutputs(id)));
    }

    /**
     * Removes every output of a video that no longer exists: a job that was still running when the
     * video was deleted may write its outputs afterwards.
     */
    public Uni<Void> deleteOutputs(String id) {
        return deletePrefix(storage.outputBucket(), VideoKeys.outputs(id));
    }

    private Uni<Void> cancelJob(Video video) {
        if (video.job() == null || video.status().isTerminal()) {
            return Uni.createFrom().voidItem();
        }
        return transcoder
                .cancel(video.job().id())
                .onFailure()
                .invoke(e -> LOG.warnf(
                        "Could not cancel job %s of %s: %s", video.job().id(), video.id(), e.getMessage()))
                .onFailure()
                .recoverWithNull();
    }

    private Uni<Void> abortUpload(Video video) {
        Video.Source source = video.source();
        if (!source.multipart() || source.uploadCompletedAt() != null) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom()
                .completionStage(() -> s3.abortMultipartUpload(abort ->
                        abort.bucket(storage.inputBucket()).key(source.key()).uploadId(source.multipartUploadId())))
                .replaceWithVoid()
                .onFailure(NoSuchUploadException.class)
                .recoverWithNull();
    }

    /** Deletes every object under {@code prefix}, a listing page (up to 1,000 keys) at a time. */
    private Uni<Void> deletePrefix(String bucket, String prefix) {
        return Uni.createFrom()
                .completionStage(
                        () -> s3.listObjectsV2(list -> list.bucket(bucket).prefix(prefix)))
                .flatMap(page -> {
                    List<String> keys =
                            page.contents().stream().map(object -> object.key()).toList();
                    Uni<Void> deleted = deleteObjects(bucket, keys);
                    return Boolean.TRUE.equals(page.isTruncated())
                            ? deleted.flatMap(ignored -> deletePrefix(bucket, prefix))
                            : deleted;
                });
    }

    private Uni<Void> deleteObjects(String bucket, List<String> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom()
                .completionStage(
                        () -> s3.deleteObjects(delete -> delete.bucket(bucket).delete(objects -> objects.quiet(true)
                                .objects(keys.stream()
                                        .map(key -> ObjectIdentifier.builder()
                                                .key(key)
                                                .build())
                                        .toList()))))
                .invoke(response -> response.errors()
                        .forEach(error ->
                                LOG.warnf("Could not delete s3://%s/%s: %s", bucket, error.key(), error.message())))
                .replaceWithVoid();
    }
}
