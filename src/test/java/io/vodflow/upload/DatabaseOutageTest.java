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
import io.vodflow.testing.EmbeddedDynamoDbProcess;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A database that stops answering makes the API answer 503 with a time to retry, never hang. */
@QuarkusTest
class DatabaseOutageTest {

    @Inject
    VodflowConfig config;

    @Test
    void creatingAVideoWhileTheDatabaseHangsAnswers503AndRecovers() {
        EmbeddedDynamoDbProcess database =
                EmbeddedDynamoDbProcess.onPort(config.localcloud().dynamodbPort());

        database.stop();
        try {
            create().statusCode(503)
                    .contentType("application/problem+json")
                    .header("Retry-After", "5")
                    .body("status", equalTo(503));
        } finally {
            database.resume();
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
}
