package io.vodflow.status;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vodflow.config.VodflowConfig;
import io.vodflow.security.LinkSigner;
import io.vodflow.testing.SseClient;
import io.vodflow.testing.VideoApi;
import io.vodflow.testing.VideoStates;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoStatus;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Server-Sent Events as a browser's EventSource sees them. */
@QuarkusTest
class VideoEventsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TestHTTPResource("/")
    URI base;

    @Inject
    VideoRepository videos;

    @Inject
    DynamoDbClient dynamo;

    @Inject
    VodflowConfig config;

    @Inject
    LinkSigner signer;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anUnknownVideoIsA404Problem() {
        given().accept("text/event-stream")
                .get("/videos/3f2c9a1e-0000-4000-8000-000000000000/events")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404));
    }

    @Test
    void aReconnectingClientResumesAfterItsLastEventWithoutRepeats() throws Exception {
        String id = VideoApi.create("resume.mp4", "video/mp4", 10).getString("id");
        try (SseClient first = connect(id, null)) {
            await().atMost(WAIT).until(() -> first.events().size() == 1);
            move(id, VideoStatus.UPLOADED);
            move(id, VideoStatus.SUBMITTED);
            await().atMost(WAIT).until(() -> first.events().size() == 3);
            assertThat(first.events())
                    .extracting(SseClient.Event::name)
                    .containsExactly("AWAITING_UPLOAD", "UPLOADED", "SUBMITTED");
        }
        // Missed while disconnected.
        move(id, VideoStatus.PROGRESSING);

        try (SseClient second = connect(id, "3")) {
            await().atMost(WAIT).until(() -> second.events().size() == 1);
            move(id, VideoStatus.COMPLETE);
            second.ended().get(20, TimeUnit.SECONDS);

            assertThat(second.events()).extracting(SseClient.Event::id).containsExactly("4", "5");
            assertThat(second.events()).extracting(SseClient.Event::name).containsExactly("PROGRESSING", "COMPLETE");
        }
        // After the end, a client that saw the end gets nothing more, and the stream ends at once.
        try (SseClient late = connect(id, "5")) {
            late.ended().get(20, TimeUnit.SECONDS);
            assertThat(late.events()).isEmpty();
        }
    }

    @Test
    void aLastEventIdNoEventCarriedStartsFromTheStoredStateAndStillEnds() throws Exception {
        String id = VideoApi.create("forged.mp4", "video/mp4", 10).getString("id");
        move(id, VideoStatus.UPLOADED);

        try (SseClient sse = connect(id, Long.toString(Long.MAX_VALUE))) {
            await().atMost(WAIT).until(() -> sse.events().size() == 1);
            move(id, VideoStatus.COMPLETE);
            sse.ended().get(20, TimeUnit.SECONDS);

            assertThat(sse.events()).extracting(SseClient.Event::id).containsExactly("2", "3");
            assertThat(sse.events()).extracting(SseClient.Event::name).containsExactly("UPLOADED", "COMPLETE");
        }
    }

    @Test
    void aStreamOpenedWithAnEventsLinkEndsOnceTheLinkExpires() throws Exception {
        // A video that never gets its file stays in flight for hours: a leaked link follows it no longer
        // than the link lasts, nor receives the fresh playback links of its events after that.
        String id = VideoApi.create("leaked.mp4", "video/mp4", 10).getString("id");
        String link = "/videos/" + id + "/events?access="
                + signer.sign(LinkSigner.Purpose.EVENTS, id, Instant.now().plusSeconds(5));

        try (SseClient sse = SseClient.connect(http, base.resolve(link))) {
            await().atMost(WAIT).until(() -> sse.events().size() == 1);
            sse.ended().get(20, TimeUnit.SECONDS);
        }
        given().accept("text/event-stream").get(link).then().statusCode(403);
    }

    @Test
    void anIdleStreamSendsHeartbeatComments() {
        String id = VideoApi.create("idle.mp4", "video/mp4", 10).getString("id");
        try (SseClient sse = connect(id, null)) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(sse.comments()).contains("heartbeat"));
            assertThat(sse.events()).hasSize(1);
        }
    }

    @Test
    void aChangeWrittenByAnotherReplicaReachesSubscribersWithinTwoSeconds() {
        String id = VideoApi.create("elsewhere.mp4", "video/mp4", 10).getString("id");
        try (SseClient sse = connect(id, null)) {
            await().atMost(WAIT).until(() -> sse.events().size() == 1);

            // Straight to DynamoDB, as another replica would: this replica's broadcaster hears nothing.
            Map<String, AttributeValue> item = new HashMap<>(
                    dynamo.getItem(get -> get.tableName(config.database().table())
                                    .key(Map.of("id", AttributeValue.fromS(id)))
                                    .consistentRead(true))
                            .item());
            item.put("status", AttributeValue.fromS("UPLOADED"));
            item.put("version", AttributeValue.fromN("2"));
            dynamo.putItem(put -> put.tableName(config.database().table()).item(item));

            await().atMost(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> sse.events().size() == 2);
            assertThat(sse.events().get(1).name()).isEqualTo("UPLOADED");
            assertThat(sse.events().get(1).id()).isEqualTo("2");
        }
    }

    @Test
    void aVideoAnotherReplicaDeletedEndsItsStreamsWithinTwoSeconds() throws Exception {
        String id = VideoApi.create("deleted-elsewhere.mp4", "video/mp4", 10).getString("id");
        try (SseClient sse = connect(id, null)) {
            await().atMost(WAIT).until(() -> sse.events().size() == 1);

            // The record gone between two catch-up reads, as when another replica deletes a video
            // quickly: no change marking it deleted reaches this replica.
            dynamo.deleteItem(
                    delete -> delete.tableName(config.database().table()).key(Map.of("id", AttributeValue.fromS(id))));

            sse.ended().get(2, TimeUnit.SECONDS);
            assertThat(sse.events()).extracting(SseClient.Event::name).containsExactly("AWAITING_UPLOAD");
        }
    }

    @Test
    void aThousandSubscribersAllReceiveTheCompleteEvent() throws Exception {
        String id = VideoApi.create("popular.mp4", "video/mp4", 10).getString("id");
        List<SseClient> clients = new ArrayList<>();
        HttpClient shared = HttpClient.newBuilder()
                .executor(Executors.newFixedThreadPool(8))
                .build();
        try {
            for (int i = 0; i < 1000; i++) {
                clients.add(SseClient.connect(shared, base.resolve("/videos/" + id + "/events")));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> clients.stream()
                    .allMatch(client -> !client.events().isEmpty()));

            move(id, VideoStatus.SUBMITTED);
            move(id, VideoStatus.COMPLETE);

            CompletableFuture.allOf(clients.stream().map(SseClient::ended).toArray(CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS);
            // A client whose event loop was still busy with others when COMPLETE came skips SUBMITTED.
            assertThat(clients).allSatisfy(client -> assertThat(
                            client.events().stream().map(SseClient.Event::name).toList())
                    .isIn(List.of("AWAITING_UPLOAD", "SUBMITTED", "COMPLETE"), List.of("AWAITING_UPLOAD", "COMPLETE")));
        } finally {
            clients.forEach(SseClient::close);
        }
    }

    private SseClient connect(String id, String lastEventId) {
        return SseClient.connect(http, base.resolve("/videos/" + id + "/events"), lastEventId);
    }

    /** A change as the pipeline makes it: a conditional write that the repository announces. */
    private void move(String id, VideoStatus status) {
        videos.update(id, video -> VideoStates.moved(video, status)).await().atMost(WAIT);
    }
}
