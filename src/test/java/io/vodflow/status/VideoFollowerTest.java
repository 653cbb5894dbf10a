package io.vodflow.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vodflow.storage.VideoKeys;
import io.vodflow.testing.Users;
import io.vodflow.testing.VideoStates;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoStatus;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Following a video without HTTP: the merge of its stored state with its live changes. */
@QuarkusTest
class VideoFollowerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    VideoFollower follower;

    @Inject
    VideoRepository videos;

    @Test
    void theStoredStateThenEveryChangeOnceInOrderUntilTheEnd() {
        Video created = created();
        AssertSubscriber<Video> subscriber =
                follower.follow(created.id(), 0).subscribe().withSubscriber(AssertSubscriber.create(100));
        subscriber.awaitItems(1, WAIT);

        move(created.id(), VideoStatus.UPLOADED);
        move(created.id(), VideoStatus.SUBMITTED);
        move(created.id(), VideoStatus.COMPLETE);

        subscriber.awaitCompletion(WAIT);
        assertThat(subscriber.getItems()).extracting(Video::version).containsExactly(1L, 2L, 3L, 4L);
        assertThat(subscriber.getItems())
                .extracting(Video::status)
                .containsExactly(
                        VideoStatus.AWAITING_UPLOAD, VideoStatus.UPLOADED, VideoStatus.SUBMITTED, VideoStatus.COMPLETE);
    }

    @Test
    void aResumingFollowerGetsOnlyWhatItMissed() {
        Video created = created();
        move(created.id(), VideoStatus.UPLOADED);
        move(created.id(), VideoStatus.SUBMITTED);

        AssertSubscriber<Video> subscriber =
                follower.follow(created.id(), 2).subscribe().withSubscriber(AssertSubscriber.create(100));
        subscriber.awaitItems(1, WAIT);
        move(created.id(), VideoStatus.ERROR);

        subscriber.awaitCompletion(WAIT);
        assertThat(subscriber.getItems()).extracting(Video::version).containsExactly(3L, 4L);
    }

    @Test
    void nothingToFollowEndsAtOnce() {
        Video ended = created();
        move(ended.id(), VideoStatus.CANCELED);

        follower.follow(ended.id(), 2)
                .subscribe()
                .withSubscriber(AssertSubscriber.create(10))
                .awaitCompletion(WAIT)
                .assertHasNotReceivedAnyItem();
        follower.follow(VideoKeys.newId(), 0)
                .subscribe()
                .withSubscriber(AssertSubscriber.create(10))
                .awaitCompletion(WAIT)
                .assertHasNotReceivedAnyItem();
    }

    private Video created() {
        String id = VideoKeys.newId();
        return videos.insert(Video.created(
                        id,
                        Users.USER,
                        null,
                        new Video.Source("a.mp4", "video/mp4", 10, VideoKeys.source(id), null, 0, 0, null),
                        null,
                        null,
                        Instant.now()))
                .await()
                .atMost(WAIT);
    }

    private void move(String id, VideoStatus status) {
        videos.update(id, video -> VideoStates.moved(video, status)).await().atMost(WAIT);
    }
}
