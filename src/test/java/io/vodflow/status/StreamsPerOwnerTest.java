package io.vodflow.status;

import static io.vodflow.testing.Users.as;
import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vodflow.config.VodflowConfig;
import io.vodflow.problem.ApiProblem;
import io.vodflow.testing.EmbeddedDynamoDbProcess;
import io.vodflow.testing.SseClient;
import io.vodflow.testing.Users;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One account cannot hold event streams open without end: past its limit on a replica, a new stream of
 * its videos is refused with a 429 problem, whether opened with a bearer token or with events links,
 * until one of its streams closes; other accounts' streams are not held back.
 */
@QuarkusTest
@TestProfile(StreamsPerOwnerTest.TwoStreamsEach.class)
class StreamsPerOwnerTest {

    public static class TwoStreamsEach implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vodflow.status.streams-per-owner", "2");
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Inject
    VodflowConfig config;

    @Inject
    StreamsPerOwner perOwner;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<SseClient> streams = new ArrayList<>();

    @AfterEach
    void closeStreams() {
        streams.forEach(SseClient::close);
    }

    @Test
    void anOwnersStreamPastTheLimitIsRefusedUntilOneCloses() {
        // Videos that never get their file: their streams would stay open for hours.
        String id = VideoApi.create("a.mp4", "video/mp4", 1000).getString("id");
        String link = given().get("/videos/" + id).then().extract().path("events");
        SseClient withToken = open("/videos/" + id + "/events");
        SseClient withLink = open(link);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !withToken.events().isEmpty() && !withLink.events().isEmpty());

        // A refused stream is a plain answer, not a stream: RestAssured reads it whole.
        given().get(link)
                .then()
                .statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .body("detail", containsString("already have 2 event streams open"));
        given().get("/videos/" + id + "/events").then().statusCode(429);

        String carols = as(Users.OTHER)
                .contentType(ContentType.JSON)
                .body(Map.of("fileName", "c.mp4", "contentType", "video/mp4", "sizeBytes", 1000))
                .post("/videos")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String carolsLink =
                as(Users.OTHER).get("/videos/" + carols).then().extract().path("events");
        SseClient carolsStream = open(carolsLink);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !carolsStream.events().isEmpty());
        assertThat(carolsStream.response().statusCode()).isEqualTo(200);

        withToken.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> open(link).response().statusCode() == 200);
        assertThat(open(link).response().statusCode())
                .as("the freed place is taken again")
                .isEqualTo(429);
    }

    @Test
    void clientsGoneWhileTheirVideoWasReadHoldNoPlace() throws IOException {
        String id = VideoApi.create("b.mp4", "video/mp4", 1000).getString("id");
        String link = given().get("/videos/" + id).then().extract().path("events");
        EmbeddedDynamoDbProcess database =
                EmbeddedDynamoDbProcess.onPort(config.localcloud().dynamodbPort());

        // The database hangs: each stream's video is still being read when its client leaves.
        database.stop();
        try {
            for (int i = 0; i < 3; i++) {
                try (Socket client = new Socket(base.getHost(), base.getPort())) {
                    client.getOutputStream()
                            .write(("GET " + link + " HTTP/1.1\r\nHost: " + base.getHost()
                                            + "\r\nAccept: text/event-stream\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                }
            }
        } finally {
            database.resume();
        }
        // Read after theirs: by its answer, theirs went on.
        given().get("/videos/" + id).then().statusCode(200);

        SseClient first = open(link);
        SseClient second = open(link);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !first.events().isEmpty() && !second.events().isEmpty());
    }

    @Test
    void videosMadeBeforeVideosHadOwnersShareOnePlaceOfTheirOwn() {
        // A stream of such a video (an administrator's, or one opened with its link) counts too.
        Runnable one = perOwner.admit(null);
        Runnable two = perOwner.admit(null);
        assertThatThrownBy(() -> perOwner.admit(null))
                .isInstanceOfSatisfying(ApiProblem.class, refused -> assertThat(refused.getMessage())
                        .contains("already have 2 event streams open"));
        one.run();
        one.run();
        perOwner.admit(null).run();
        two.run();
    }

    private SseClient open(String path) {
        SseClient stream = SseClient.connect(http, base.resolve(path));
        streams.add(stream);
        return stream;
    }
}
