package io.vodflow.testing;

import io.vodflow.storage.VideoKeys;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * Puts a video straight into a state, one version later, for tests that need the pipeline somewhere
 * without running it there. The product changes videos only through their named transitions.
 */
public final class VideoStates {

    private VideoStates() {}

    /** A new video of {@link Users#USER}, as creating it leaves it: AWAITING_UPLOAD, not stored. */
    public static Video awaitingUpload() {
        String id = VideoKeys.newId();
        return Video.created(
                id,
                Users.USER,
                null,
                new Video.Source("a.mp4", "video/mp4", 10, VideoKeys.source(id), null, 0, 0, null),
                null,
                null,
                Instant.now());
    }

    /**
     * Records {@code deliveryId}'s claim on the video's upload, made {@code at}, as an ingest delivery's
     * would be: UPLOADED, whoever held it before.
     */
    public static void claim(VideoRepository videos, String id, String deliveryId, Instant at) {
        videos.update(id, video -> video.uploadClaimed(deliveryId, Duration.ZERO, at))
                .await()
                .atMost(Duration.ofSeconds(10));
    }

    /** The same video in another status. */
    public static Video moved(Video video, VideoStatus status) {
        return of(video, status, video.attempt(), video.job(), video.outputs());
    }

    public static Video of(Video video, VideoStatus status, int attempt, Video.Job job, Video.Outputs outputs) {
        return new Video(
                video.id(),
                video.owner(),
                status,
                video.version() + 1,
                attempt,
                video.title(),
                video.source(),
                video.limits(),
                video.claim(),
                video.media(),
                job,
                outputs,
                video.playable(),
                video.error(),
                video.createdAt(),
                Instant.now(),
                video.deletingAt(),
                video.trace());
    }
}
