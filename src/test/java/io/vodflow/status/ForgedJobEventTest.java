package io.vodflow.status;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vodflow.config.VodflowConfig;
import io.vodflow.storage.VideoKeys;
import io.vodflow.testing.Queues;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/** A job event is believed only about its own video's files: one naming others' is dead-lettered. */
@QuarkusTest
class ForgedJobEventTest {

    @Inject
    SqsAsyncClient sqs;

    @Inject
    VodflowConfig config;

    @Test
    void aCompleteEventWhoseOutputsLieUnderAnotherVideoIsDeadLetteredAndChangesNothing() throws Exception {
        String id = VideoApi.create("holiday.mp4", "video/mp4", 1000).getString("id");
        JsonPath before = given().get("/videos/" + id).then().extract().jsonPath();
        String elsewhere = "s3://" + config.storage().outputBucket() + "/" + VideoKeys.outputs(VideoKeys.newId());
        ObjectNode complete = TestResources.jobEvent("complete-hls-and-frames.json", id, elsewhere);

        Queues queues = new Queues(sqs);
        queues.send(config.queues().jobEvents(), complete.toString());

        queues.awaitDeadLetter(config.queues().jobEvents(), complete.toString(), Duration.ofSeconds(30));
        JsonPath after = given().get("/videos/" + id).then().extract().jsonPath();
        assertThat(after.getString("status")).isEqualTo("AWAITING_UPLOAD");
        assertThat(after.getLong("version")).isEqualTo(before.getLong("version"));
        assertThat(after.getString("playback")).isNull();
    }

    @Test
    void anotherDeploymentsEventIsTakenOffTheQueueAndChangesNothing() {
        // A video of another vodflow in the same account and region, writing to its own bucket.
        String theirs = VideoKeys.newId();
        ObjectNode complete = TestResources.jobEvent(
                "complete-hls-and-frames.json", theirs, "s3://their-output/" + VideoKeys.outputs(theirs));
        String ours = VideoApi.create("ours.mp4", "video/mp4", 1000).getString("id");

        Queues queues = new Queues(sqs);
        long deadLetters = queues.deadLetterCount(config.queues().jobEvents());
        queues.send(config.queues().jobEvents(), complete.toString());
        queues.awaitDrained(config.queues().jobEvents(), Duration.ofSeconds(30));

        assertThat(queues.deadLetterCount(config.queues().jobEvents())).isEqualTo(deadLetters);
        given().get("/videos/" + theirs).then().statusCode(404);
        assertThat(given().get("/videos/" + ours).then().extract().jsonPath().getString("status"))
                .isEqualTo("AWAITING_UPLOAD");
    }
}
