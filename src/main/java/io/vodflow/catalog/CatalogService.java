package io.vodflow.catalog;

import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.problem.ApiProblem;
import io.vodflow.security.Caller;
import io.vodflow.storage.ObjectStore;
import io.vodflow.storage.VideoKeys;
import io.vodflow.transcode.FastStart;
import io.vodflow.transcode.Transcoder;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/** Listing and deleting videos. */
@ApplicationScoped
public class CatalogService {

    private static final Logger LOG = Logger.getLogger(CatalogService.class);
    public static final int DEFAULT_PAGE_SIZE = 20;
    public static final int MAX_PAGE_SIZE = 100;

    private final VideoRepository videos;
    private final ObjectStore store;
    private final Transcoder transcoder;
    private final FastStart fastStart;
    private final VodflowConfig.Storage storage;

    CatalogService(
            VideoRepository videos,
            ObjectStore store,
            Transcoder transcoder,
            FastStart fastStart,
            VodflowConfig config) {
        this.fastStart = fastStart;
        this.videos = videos;
        this.store = store;
        this.transcoder = transcoder;
        this.storage = config.storage();
    }

    /**
     * The caller's videos, or every video for an administrator who asks for all.
     *
     * @param limit page size as the client sent it, parsed here so that a bad value is a 400 naming it
     */
    public Uni<VideoRepository.Page> list(Caller caller, String limit, String cursor, boolean all) {
        int size = parseLimit(limit);
        if (all && !caller.admin()) {
            throw ApiProblem.invalidField("all", "Only administrators may list every user's videos");
        }
        try {
            return videos.list(all ? null : caller.subject(), size, cursor == null || cursor.isBlank() ? null : cursor);
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
     * Deletes the video: marks it deleting, which stops every other change and hides it from its users,
     * then removes what it holds. A delete cut short leaves the mark, and the reconciler finishes it; a
     * second delete finishes it too.
     */
    public Uni<Void> delete(Caller caller, String id) {
        return videos.reach(id, caller)
                .flatMap(video -> videos.update(id, current -> current.deleting(Instant.now())))
                .flatMap(marked -> marked == null ? Uni.createFrom().voidItem() : finishDelete(marked));
    }

    /**
     * Removes what a video being deleted holds: its job (and preview), its pending upload, its source and every
     * output, then the record, last, so that what is left is still found. Each step is harmless when
     * done before. Outputs a canceled job writes later are removed when its final event arrives, and
     * an upload arriving later when its notification does.
     */
    public Uni<Void> finishDelete(Video video) {
        String id = video.id();
        return cancelJob(video)
                .flatMap(ignored -> abortUpload(video))
                .flatMap(ignored -> store.delete(
                        storage.inputBucket(), List.of(video.source().key())))
                .flatMap(ignored -> store.deletePrefix(storage.outputBucket(), VideoKeys.outputs(id)))
                .flatMap(ignored -> videos.delete(id));
    }

    private Uni<Void> cancelJob(Video video) {
        if (video.job() == null || video.status().isTerminal()) {
            return Uni.createFrom().voidItem();
        }
        return transcoder
                .cancel(video.job().id())
                .flatMap(ignored -> fastStart.end(video.id(), video.attempt()))
                .onFailure()
                .invoke(e -> LOG.warnf(
                        "Could not cancel job %s of %s: %s", video.job().id(), video.id(), e.getMessage()))
                .onFailure()
                .recoverWithNull();
    }

    private Uni<Void> abortUpload(Video video) {
        Video.Source source = video.source();
        return source.multipart() && source.uploadCompletedAt() == null
                ? store.abortUpload(storage.inputBucket(), source.key(), source.multipartUploadId())
                : Uni.createFrom().voidItem();
    }
}
