package io.vodflow.transcode.local;

import static io.vodflow.testing.Users.given;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vodflow.ingest.IngestService;
import io.vodflow.media.FfmpegTools;
import io.vodflow.testing.Processes;
import io.vodflow.testing.TestMedia;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import io.vodflow.testing.VideoStates;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoStatus;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Copies of a job's message (a submission repeated by ingest or the reconciler). One that reaches the
 * worker already running the job waits for that run instead of running the job a second time beside
 * it, even when the worker has a slot free: each run holds the job's lease under a name of its own.
 * One that comes after the job ended sends the final event the ledger kept again, should the first
 * have been lost.
 */
@QuarkusTest
@TestProfile(DuplicateJobMessageTest.TwoSlots.class)
class DuplicateJobMessageTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    public static class TwoSlots implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vodflow.local.concurrency", "2");
        }
    }

    @Inject
    FfmpegTools ffmpeg;

    @Inject
    IngestService ingest;

    @Inject
    VideoRepository videos;

    @Test
    void aCopyOfARunningJobsMessageDoesNotRunTheJobTwice() {
        String id = VideoApi.upload(TestMedia.long720p(ffmpeg, 40), "video/mp4");
        VideoApi.awaitStatus(id, "PROGRESSING", TIMEOUT);
        await().atMost(TIMEOUT).until(() -> Processes.ffmpegRunningFor(id));

        ingest.resubmit(videos.find(id).await().atMost(TIMEOUT)).await().atMost(TIMEOUT);

        // The worker's free slot receives the copy at once; a second run would probe the source and
        // start its own ffmpeg within a second or two.
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> Processes.countFor(id) <= 1);

        given().delete("/videos/" + id).then().statusCode(204);
        await().atMost(TIMEOUT).until(() -> !Processes.ffmpegRunningFor(id));
    }

    @Test
    void aCopyOfAnEndedJobsMessageSendsItsFinalEventAgain() {
        String id = VideoApi.upload(TestResources.media("h264_aac_320x240_main.mp4"), "video/mp4");
        VideoApi.awaitStatus(id, "COMPLETE", TIMEOUT);
        // As if the COMPLETE event had been lost on its way: the video still says PROGRESSING.
        videos.update(id, video -> VideoStates.of(video, VideoStatus.PROGRESSING, 1, video.job(), null))
                .await()
                .atMost(TIMEOUT);

        ingest.resubmit(videos.find(id).await().atMost(TIMEOUT)).await().atMost(TIMEOUT);

        VideoApi.awaitStatus(id, "COMPLETE", TIMEOUT);
    }
}
