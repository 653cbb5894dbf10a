package io.vodflow.upload;

import static io.vodflow.testing.Users.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.vodflow.config.VodflowConfig;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A database that stops answering makes the API answer 503 with a time to retry, never hang. */
@QuarkusTest
class DatabaseOutageTest {

    @Inject
    VodflowConfig config;

    @Test
    void creatingAVideoWhileTheDatabaseHangsAnswers503AndRecovers() throws Exception {
        ProcessHandle database = embeddedDynamoDb();

        signal(database, "STOP");
        try {
            create().statusCode(503)
                    .contentType("application/problem+json")
                    .header("Retry-After", "5")
                    .body("status", equalTo(503));
        } finally {
            signal(database, "CONT");
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> create().statusCode(201));
    }

    /** POST /videos, giving up on the answer after 10 s, so that a hang fails the test instead. */
    private static ValidatableResponse create() {
        return given().config(RestAssured.config()
                        .httpClient(HttpClientConfig.httpClientConfig().setParam("http.socket.timeout", 10_000)))
                .contentType(ContentType.JSON)
                .body(Map.of("fileName", "outage.mp4", "contentType", "video/mp4", "sizeBytes", 1000))
                .post("/videos")
                .then();
    }

    /** The embedded DynamoDB: the Node process the local cloud started on the configured port. */
    private ProcessHandle embeddedDynamoDb() {
        String port = Integer.toString(config.localcloud().dynamodbPort());
        return ProcessHandle.current()
                .descendants()
                .filter(process -> process.info()
                        .arguments()
                        .map(Arrays::asList)
                        .filter(arguments ->
                                arguments.stream().anyMatch(a -> a.endsWith("launcher.js")) && arguments.contains(port))
                        .isPresent())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No embedded DynamoDB on port " + port));
    }

    private static void signal(ProcessHandle process, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder(List.of("kill", "-" + signal, Long.toString(process.pid())))
                .inheritIO()
                .start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }
}
