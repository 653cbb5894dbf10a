package io.vodflow.transcode.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vodflow.config.VodflowConfig;
import io.vodflow.media.FfmpegTools;
import io.vodflow.testing.Processes;
import io.vodflow.testing.TestMedia;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * An ffmpeg that stops making progress (here suspended, as a hung one looks) is stopped after the
 * stall timeout and its video ends in ERROR, also when the queue no longer holds the job's message
 * for the run, as when its visibility ran out while SQS was down.
 */
@QuarkusTest
@TestProfile(StalledRunTest.ShortStallTimeout.class)
class StalledRunTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** A run without progress for 5 s is stalled; heartbeats every 2 s. */
    public static class ShortStallTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vodflow.local.stall-timeout", "5s", "vodflow.local.visibility-timeout", "6s");
        }
    }

    @Inject
    FfmpegTools ffmpeg;

    @Inject
    SqsAsyncClient sqs;

    @Inject
    VodflowConfig config;

    @Test
    void aRunThatStopsMakingProgressEndsItsVideoInError() {
        String id = playingVideo();

        suspendFfmpeg(id);

        assertStalled(id);
    }

    @Test
    void aRunWhoseMessageTheQueueNoLongerHoldsIsStillStoppedWhenItStalls() {
        String id = playingVideo();
        // Keeping the message hidden fails at every heartbeat from now on.
        String queue = config.queues().transcodeJobs().orElseThrow();
        sqs.purgeQueue(purge -> purge.queueUrl(
                        sqs.getQueueUrl(url -> url.queueName(queue)).join().queueUrl()))
                .join();

        suspendFfmpeg(id);

        assertStalled(id);
    }

    /** A video whose whole run is under way: its first segments' own run is over. */
    private String playingVideo() {
        String id = VideoApi.upload(TestMedia.long720p(ffmpeg, 20), "video/mp4");
        VideoApi.awaitPlayable(id, TIMEOUT);
        await().atMost(TIMEOUT).until(() -> Processes.ffmpegRunningFor(id));
        return id;
    }

    private static void suspendFfmpeg(String id) {
        Processes.of(id).forEach(process -> Processes.signal(process, "STOP"));
    }

    private static void assertStalled(String id) {
        try {
            JsonPath video = VideoApi.awaitStatus(id, "ERROR", TIMEOUT);
            assertThat(video.getString("error.message")).isEqualTo("The transcoder made no progress for 5 seconds");
            assertThat(Processes.ffmpegRunningFor(id)).isFalse();
        } finally {
            Processes.of(id).forEach(ProcessHandle::destroyForcibly);
        }
    }
}
