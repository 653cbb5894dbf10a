package io.vodflow.status;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vodflow.config.VodflowConfig;
import io.vodflow.security.LinkSigner;
import io.vodflow.storage.VideoKeys;
import io.vodflow.testing.Queues;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/** A job that was not stopped in time by a delete leaves nothing behind once it ends. */
@QuarkusTest
class LateOutputsTest {

    @Inject
    SqsAsyncClient sqs;

    @Inject
    S3Client s3;

    @Inject
    VodflowConfig config;

    @Inject
    LinkSigner signer;

    @Test
    void outputsWrittenAfterTheVideoWasDeletedAreRemovedWhenItsJobEnds() {
        String id = VideoApi.create("late.mp4", "video/mp4", 1000).getString("id");
        given().delete("/videos/" + id).then().statusCode(204);
        String bucket = config.storage().outputBucket();
        String prefix = VideoKeys.outputs(id);
        // What a MediaConvert job still running at the delete goes on to write, then reports.
        for (String file : new String[] {"hls/main.m3u8", "hls/mainv1.m3u8", "hls/mainv1_00001.ts"}) {
            s3.putObject(put -> put.bucket(bucket).key(prefix + file), RequestBody.fromString("#EXTM3U\n"));
        }
        String complete = TestResources.jobEvent("complete-hls-and-frames.json", id, "s3://" + bucket + "/" + prefix)
                .toString();

        new Queues(sqs).send(config.queues().jobEvents(), complete);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                        s3.listObjectsV2(list -> list.bucket(bucket).prefix(prefix))
                                .keyCount())
                .isZero());
    }

    @Test
    void outputsLeftInStorageAfterADeleteAreNotPlayedThroughLinksSignedBefore() {
        String id = VideoApi.create("shared.mp4", "video/mp4", 1000).getString("id");
        // A playback link the owner shared before the delete, still within its lifetime.
        String link = "/videos/" + id + "/play/"
                + signer.sign(LinkSigner.Purpose.PLAYBACK, id, Instant.now().plusSeconds(3600)) + "/hls/master.m3u8";
        given().delete("/videos/" + id).then().statusCode(204);
        // Outputs the delete could not remove.
        s3.putObject(
                put -> put.bucket(config.storage().outputBucket()).key(VideoKeys.outputs(id) + "hls/master.m3u8"),
                RequestBody.fromString("#EXTM3U\n"));

        RestAssured.get(link).then().statusCode(404).contentType("application/problem+json");
    }
}
