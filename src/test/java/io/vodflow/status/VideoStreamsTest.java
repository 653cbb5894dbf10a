package io.vodflow.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vodflow.storage.VideoKeys;
import io.vodflow.testing.VideoStates;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoStatus;
import jakarta.inject.Inject;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jboss.resteasy.reactive.server.jaxrs.SseImpl;
import org.junit.jupiter.api.Test;

/** Following a video without HTTP: the merge of its stored state with its live changes, as events. */
@QuarkusTest
class VideoStreamsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    VideoStreams streams;

    @Inject
    VideoRepository videos;

    @Inject
    MeterRegistry metrics;

    @Test
    void theStoredStateThenEveryChangeOnceInOrderUntilTheEnd() {
        Video created = created();
        AssertSubscriber<OutboundSseEvent> subscriber = follow(created.id(), 0);
        awaitEvents(subscriber, 1);

        move(created.id(), VideoStatus.UPLOADED);
        move(created.id(), VideoStatus.SUBMITTED);
        move(created.id(), VideoStatus.COMPLETE);

        subscriber.awaitCompletion(WAIT);
        assertThat(events(subscriber)).extracting(OutboundSseEvent::getId).containsExactly("1", "2", "3", "4");
        assertThat(events(subscriber))
                .extracting(OutboundSseEvent::getName)
                .containsExactly("AWAITING_UPLOAD", "UPLOADED", "SUBMITTED", "COMPLETE");
    }

    @Test
    void aResumingFollowerGetsOnlyWhatItMissed() {
        Video created = created();
        move(created.id(), VideoStatus.UPLOADED);
        move(created.id(), VideoStatus.SUBMITTED);

        AssertSubscriber<OutboundSseEvent> subscriber = follow(created.id(), 2);
        awaitEvents(subscriber, 1);
        move(created.id(), VideoStatus.ERROR);

        subscriber.awaitCompletion(WAIT);
        assertThat(events(subscriber)).extracting(OutboundSseEvent::getId).containsExactly("3", "4");
    }

    @Test
    void aChangeThatComesWhileTheLastOneWaitsForItsTurnReplacesIt() {
        Video created = created();
        Queue<Runnable> eventLoop = new ConcurrentLinkedQueue<>();
        AssertSubscriber<OutboundSseEvent> subscriber = streams.open(created.id(), 0, SseImpl.INSTANCE, eventLoop::add)
                .subscribe()
                .withSubscriber(AssertSubscriber.create(100));
        await().atMost(WAIT).until(() -> {
            runAll(eventLoop);
            return !events(subscriber).isEmpty();
        });

        // Two changes while the event loop is busy elsewhere: when its turn comes, the stream writes the newer.
        move(created.id(), VideoStatus.UPLOADED);
        move(created.id(), VideoStatus.SUBMITTED);
        runAll(eventLoop);
        move(created.id(), VideoStatus.COMPLETE);
        runAll(eventLoop);

        subscriber.awaitCompletion(WAIT);
        assertThat(events(subscriber))
                .extracting(OutboundSseEvent::getName)
                .containsExactly("AWAITING_UPLOAD", "SUBMITTED", "COMPLETE");
    }

    @Test
    void nothingToFollowEndsAtOnce() {
        Video ended = created();
        move(ended.id(), VideoStatus.CANCELED);

        assertThat(events(follow(ended.id(), 2).awaitCompletion(WAIT))).isEmpty();
        assertThat(events(follow(VideoKeys.newId(), 0).awaitCompletion(WAIT))).isEmpty();
    }

    @Test
    void aSubscriberThatLeavesIsForgotten() {
        Video created = created();
        AssertSubscriber<OutboundSseEvent> subscriber = follow(created.id(), 0);
        awaitEvents(subscriber, 1);
        double open = metrics.get("vodflow.sse.subscribers").gauge().value();

        subscriber.cancel();
        // The repository announces a write before it completes: a stream still followed would have it by now.
        move(created.id(), VideoStatus.UPLOADED);

        assertThat(events(subscriber)).extracting(OutboundSseEvent::getName).containsExactly("AWAITING_UPLOAD");
        assertThat(metrics.get("vodflow.sse.subscribers").gauge().value()).isEqualTo(open - 1);
    }

    /** Without a connection, the stream's work runs on whichever thread brings it. */
    private AssertSubscriber<OutboundSseEvent> follow(String id, long after) {
        return streams.open(id, after, SseImpl.INSTANCE, Runnable::run)
                .subscribe()
                .withSubscriber(AssertSubscriber.create(100));
    }

    /** What the subscriber received, without the heartbeat comments, which may come at any moment. */
    private static List<OutboundSseEvent> events(AssertSubscriber<OutboundSseEvent> subscriber) {
        return subscriber.getItems().stream()
                .filter(event -> event.getComment() == null)
                .toList();
    }

    /** Runs what was queued, and what that queued in turn. */
    private static void runAll(Queue<Runnable> eventLoop) {
        for (Runnable task = eventLoop.poll(); task != null; task = eventLoop.poll()) {
            task.run();
        }
    }

    private static void awaitEvents(AssertSubscriber<OutboundSseEvent> subscriber, int count) {
        await().atMost(WAIT).until(() -> events(subscriber).size() >= count);
    }

    private Video created() {
        return videos.insert(VideoStates.awaitingUpload()).await().atMost(WAIT);
    }

    private void move(String id, VideoStatus status) {
        videos.update(id, video -> VideoStates.moved(video, status)).await().atMost(WAIT);
    }
}
