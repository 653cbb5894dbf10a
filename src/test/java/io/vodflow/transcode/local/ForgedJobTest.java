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
import io.vodflow.transcode.TranscodeRequest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * A worker runs only jobs that stay within their own video's keys and job: a job message naming
 * another video's source, destinations or job id is dead-lettered before anything is read, written,
 * leased or reported.
 */
@QuarkusTest
class ForgedJobTest {

    @Inject
    SqsAsyncClient sqs;

    @Inject
    S3Client s3;

    @Inject
    VodflowConfig config;

    @Inject
    JobLedger ledger;

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

    @Test
    void aJobNamingAnotherVideosJobIdIsDeadLetteredAndLeavesThatJobAlone() {
        String victim = VideoApi.create("mine.mp4", "video/mp4", 1000).getString("id");
        String attacker = VideoApi.create("theirs.mp4", "video/mp4", 1000).getString("id");
        long version = version(attacker);
        // The attacker's own keys, under the job id of the victim's first attempt, which anyone who
        // knows the victim's video id can compute.
        String victimsJob = jobOf(victim);
        String job = forgedJob(attacker, attacker).replace(jobOf(attacker), victimsJob);

        Queues queues = new Queues(sqs);
        queues.send(config.queues().transcodeJobs().orElseThrow(), job);

        queues.awaitDeadLetter(config.queues().transcodeJobs().orElseThrow(), job, Duration.ofSeconds(60));
        assertThat(version(attacker)).isEqualTo(version);
        assertThat(ledger.standing(victimsJob)).isEqualTo(JobLedger.Standing.WANTED);
        assertThat(ledger.take(victimsJob, "the victim's run", Duration.ofSeconds(1)))
                .as("the victim's job is free to run")
                .isPresent();
    }

    private static String jobOf(String videoId) {
        return LocalTranscoder.jobId(TranscodeRequest.idempotencyToken(videoId, 1, false));
    }

    /** A job of one video's first attempt, with another's source and destinations. */
    private String forgedJob(String videoId, String otherId) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode job = json.createObjectNode();
        job.put("jobId", jobOf(videoId)).put("createdAt", "2026-11-29T10:00:00Z");
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
