package io.vodflow.metrics;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.vodflow.config.VodflowConfig;
import io.vodflow.testing.Queues;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/** An operator sees at /q/metrics that messages wait in a dead-letter queue, and which queue's. */
@QuarkusTest
class DeadLettersTest {

    @Inject
    SqsAsyncClient sqs;

    @Inject
    VodflowConfig config;

    @Test
    void aDeadLetteredJobEventIsCounted() {
        String poison = "not a job event " + System.nanoTime();
        Queues queues = new Queues(sqs);

        queues.send(config.queues().jobEvents(), poison);

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        assertThat(deadLetters(config.queues().jobEvents())).isGreaterThanOrEqualTo(1));
        queues.awaitDeadLetter(config.queues().jobEvents(), poison, Duration.ofSeconds(10));
    }

    private static double deadLetters(String queue) {
        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher line = Pattern.compile(
                        "(?m)^vodflow_dead_letters\\{[^}]*queue=\"" + Pattern.quote(queue) + "\"[^}]*\\} (\\S+)$")
                .matcher(metrics);
        return line.find() ? Double.parseDouble(line.group(1)) : -1;
    }
}
