package io.vodflow.transcode.local;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vodflow.config.VodflowConfig;
import io.vodflow.storage.VideoKeys;
import io.vodflow.testing.Queues;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * A worker runs only jobs that stay within their own video's keys: a job message naming another
 * video's source or destinations is dead-lettered before anything is read, written or reported.
 */
@QuarkusTest
class ForgedJobTest {

    @Inject
    SqsAsyncClient sqs;

    @Inject
    S3Client s3;

    @Inject
    VodflowConfig config;

    @Test
    void aJobNamingAnotherVideosKeysIsDeadLetteredAndChangesNothing() {
        String victim = VideoApi.create("mine.mp4", "video/mp4", 1000).getString("id");
        String other = VideoApi.create("theirs.mp4", "video/mp4", 1000).getString("id");
        long version = version(victim);
        String job = forgedJob(victim, other);

        Queues queues = new Queues(sqs);
        queues.send(config.queues().transcodeJobs().orElseThrow(), job);

        queues.awaitDeadLetter(config.queues().transcodeJobs().orElseThrow(), job, Duration.ofSeconds(60));
        assertThat(version(victim)).isEqualTo(version);
        for (String id : List.of(victim, other)) {
            assertThat(s3.listObjectsV2(list ->
                                    list.bucket(config.storage().outputBucket()).prefix(VideoKeys.outputs(id)))
                            .keyCount())
                    .isZero();
        }
    }

    /** Metadata of one video, with another's source and destinations. */
    private String forgedJob(String videoId, String otherId) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode job = json.createObjectNode();
        job.put("jobId", "local-forged-" + System.nanoTime()).put("createdAt", "2026-11-29T10:00:00Z");
        job.putObject("userMetadata").put("videoId", videoId).put("attempt", "1");
        ObjectNode settings = job.putObject("settings");
        settings.putArray("Inputs")
                .addObject()
                .put("FileInput", "s3://" + config.storage().inputBucket() + "/" + VideoKeys.source(otherId));
        settings.putArray("OutputGroups")
                .addObject()
                .putObject("OutputGroupSettings")
                .put("Type", "HLS_GROUP_SETTINGS")
                .putObject("HlsGroupSettings")
                .put(
                        "Destination",
                        "s3://" + config.storage().outputBucket() + "/" + VideoKeys.outputs(otherId) + "hls/master");
        return job.toString();
    }

    private static long version(String id) {
        JsonPath video =
                given().get("/videos/" + id).then().statusCode(200).extract().jsonPath();
        return video.getLong("version");
    }
}
