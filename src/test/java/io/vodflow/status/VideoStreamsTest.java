package io.vodflow.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.buffer.Buffer;
import io.vodflow.storage.VideoKeys;
import io.vodflow.testing.VideoStates;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoStatus;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Following a video without HTTP: the merge of its stored state with its live changes, as the frames written. */
@QuarkusTest
class VideoStreamsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** An event as written: one line each for its id, name and JSON data, and a blank line. */
    private static final Pattern EVENT = Pattern.compile("^id:(\\d+)\nevent:(\\w+)\ndata:\\{.*}\n\n$");

    @Inject
    VideoStreams streams;

    @Inject
    VideoRepository videos;

    @Inject
    MeterRegistry metrics;

    /** One follower: what its stream wrote, and its life. */
    private record Follower(Queue<Buffer> frames, AssertSubscriber<Void> life) {

        /** The events written, without the heartbeat comments, which may come at any moment. */
        List<String> eventFrames() {
            return frames.stream()
                    .map(Buffer::toString)
                    .filter(frame -> !frame.startsWith(":"))
                    .toList();
        }

        /** Each event's id and name. */
        List<String> events() {
            return eventFrames().stream().map(Follower::idAndName).toList();
        }

        private static String idAndName(String frame) {
            Matcher event = EVENT.matcher(frame);
            assertThat(event.find()).as(frame).isTrue();
            return event.group(1) + " " + event.group(2);
        }
    }

    @Test
    void theStoredStateThenEveryChangeOnceInOrderUntilTheEnd() {
        Video created = created();
        Follower follower = follow(created.id(), 0);
        awaitEvents(follower, 1);

        move(created.id(), VideoStatus.UPLOADED);
        move(created.id(), VideoStatus.SUBMITTED);
        move(created.id(), VideoStatus.COMPLETE);

        follower.life().awaitCompletion(WAIT);
        assertThat(follower.events()).containsExactly("1 AWAITING_UPLOAD", "2 UPLOADED", "3 SUBMITTED", "4 COMPLETE");
    }

    @Test
    void aResumingFollowerGetsOnlyWhatItMissed() {
        Video created = created();
        move(created.id(), VideoStatus.UPLOADED);
        move(created.id(), VideoStatus.SUBMITTED);

        Follower follower = follow(created.id(), 2);
        awaitEvents(follower, 1);
        move(created.id(), VideoStatus.ERROR);

        follower.life().awaitCompletion(WAIT);
        assertThat(follower.events()).containsExactly("3 SUBMITTED", "4 ERROR");
    }

    @Test
    void aChangeThatComesWhileTheLastOneWaitsForItsTurnReplacesIt() {
        Video created = created();
        Queue<Runnable> eventLoop = new ConcurrentLinkedQueue<>();
        Follower follower = follow(created.id(), 0, eventLoop::add);
        await().atMost(WAIT).until(() -> {
            runAll(eventLoop);
            return !follower.events().isEmpty();
        });

        // Two changes while the event loop is busy elsewhere: when its turn comes, the stream writes the newer.
        move(created.id(), VideoStatus.UPLOADED);
        move(created.id(), VideoStatus.SUBMITTED);
        runAll(eventLoop);
        move(created.id(), VideoStatus.COMPLETE);
        runAll(eventLoop);
        assertThat(follower.events()).containsExactly("1 AWAITING_UPLOAD", "3 SUBMITTED", "4 COMPLETE");

        // The stream ends on its event loop too, a while after its terminal event.
        await().atMost(WAIT).until(() -> {
            runAll(eventLoop);
            return follower.life().hasCompleted();
        });
    }

    @Test
    void everyFollowerOfAVideoGetsTheSameEvents() {
        Video created = created();
        Follower first = follow(created.id(), 0);
        Follower second = follow(created.id(), 0);
        awaitEvents(first, 1);
        awaitEvents(second, 1);

        move(created.id(), VideoStatus.CANCELED);

        first.life().awaitCompletion(WAIT);
        second.life().awaitCompletion(WAIT);
        assertThat(second.events()).containsExactly("1 AWAITING_UPLOAD", "2 CANCELED");
        assertThat(second.eventFrames()).isEqualTo(first.eventFrames());
    }

    @Test
    void nothingToFollowEndsAtOnce() {
        Video ended = created();
        move(ended.id(), VideoStatus.CANCELED);

        Follower resumed = follow(ended.id(), 2);
        resumed.life().awaitCompletion(WAIT);
        assertThat(resumed.frames()).isEmpty();
        Follower unknown = follow(VideoKeys.newId(), 0);
        unknown.life().awaitCompletion(WAIT);
        assertThat(unknown.frames()).isEmpty();
    }

    @Test
    void aSubscriberThatLeavesIsForgotten() {
        Video created = created();
        Follower follower = follow(created.id(), 0);
        awaitEvents(follower, 1);
        double open = metrics.get("vodflow.sse.subscribers").gauge().value();

        follower.life().cancel();
        // The repository announces a write before it completes: a stream still followed would have it by now.
        move(created.id(), VideoStatus.UPLOADED);

        assertThat(follower.events()).containsExactly("1 AWAITING_UPLOAD");
        assertThat(metrics.get("vodflow.sse.subscribers").gauge().value()).isEqualTo(open - 1);
    }

    /** Without a connection, the stream's work runs on whichever thread brings it. */
    private Follower follow(String id, long after) {
        return follow(id, after, Runnable::run);
    }

    private Follower follow(String id, long after, Executor connection) {
        Queue<Buffer> frames = new ConcurrentLinkedQueue<>();
        AssertSubscriber<Void> life = streams.open(id, after, null, connection, frames::add)
                .subscribe()
                .withSubscriber(AssertSubscriber.create());
        return new Follower(frames, life);
    }

    /** Runs what was queued, and what that queued in turn. */
    private static void runAll(Queue<Runnable> eventLoop) {
        for (Runnable task = eventLoop.poll(); task != null; task = eventLoop.poll()) {
            task.run();
        }
    }

    private static void awaitEvents(Follower follower, int count) {
        await().atMost(WAIT).until(() -> follower.events().size() >= count);
    }

    private Video created() {
        return videos.insert(VideoStates.awaitingUpload()).await().atMost(WAIT);
    }

    private void move(String id, VideoStatus status) {
        videos.update(id, video -> VideoStates.moved(video, status)).await().atMost(WAIT);
    }
}
