package io.vodflow.security;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vodflow.config.VodflowConfig;
import io.vodflow.testing.SseClient;
import io.vodflow.testing.StoredOutputs;
import io.vodflow.testing.VideoApi;
import io.vodflow.video.VideoRepository;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Players and EventSource send no bearer token: a video's signed links stand in for it. One link
 * opens every output of its video, in hls.js and native players alike, because playlists name their
 * files relatively; it opens nothing of another video, and nothing once expired or altered.
 */
@QuarkusTest
class SignedLinksTest {

    @Inject
    LinkSigner signer;

    @Inject
    VodflowConfig config;

    @Inject
    S3Client s3;

    @Inject
    VideoRepository videos;

    @TestHTTPResource("/")
    URI base;

    @Test
    void onePlaybackLinkOpensTheWholeSetOfItsVideoOnly() {
        String a = VideoApi.create("a.mp4", "video/mp4", 1000).getString("id");
        String b = VideoApi.create("b.mp4", "video/mp4", 1000).getString("id");
        for (String id : List.of(a, b)) {
            StoredOutputs.write(
                    s3, config.storage().outputBucket(), "videos/" + id + "/hls/master.m3u8", List.of("v_720p.m3u8"));
        }
        String tokenOfA =
                signer.sign(LinkSigner.Purpose.PLAYBACK, a, Instant.now().plusSeconds(60));

        String master = RestAssured.get("/videos/" + a + "/play/" + tokenOfA + "/hls/master.m3u8")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        // What a player does next: resolve the names in the playlist against the playlist's URL.
        String variant = master.lines()
                .filter(line -> line.endsWith(".m3u8"))
                .findFirst()
                .orElseThrow();
        String variantUrl = "/videos/" + a + "/play/" + tokenOfA + "/hls/" + variant;
        String segment = RestAssured.get(variantUrl)
                .then()
                .statusCode(200)
                .extract()
                .asString()
                .lines()
                .filter(line -> line.endsWith(".ts"))
                .findFirst()
                .orElseThrow();
        RestAssured.get("/videos/" + a + "/play/" + tokenOfA + "/hls/" + segment)
                .then()
                .statusCode(200);

        RestAssured.get("/videos/" + b + "/play/" + tokenOfA + "/hls/master.m3u8")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        RestAssured.get("/videos/" + b + "/play/" + tokenOfA + "/hls/" + segment)
                .then()
                .statusCode(403);
        String expired =
                signer.sign(LinkSigner.Purpose.PLAYBACK, a, Instant.now().minusSeconds(1));
        RestAssured.get("/videos/" + a + "/play/" + expired + "/hls/master.m3u8")
                .then()
                .statusCode(403);
        String later = tokenOfA.replaceFirst(
                "^\\d+", Long.toString(Instant.now().plusSeconds(86_400).getEpochSecond()));
        RestAssured.get("/videos/" + a + "/play/" + later + "/hls/master.m3u8")
                .then()
                .statusCode(403);
        String eventsLink =
                signer.sign(LinkSigner.Purpose.EVENTS, a, Instant.now().plusSeconds(60));
        RestAssured.get("/videos/" + a + "/play/" + eventsLink + "/hls/master.m3u8")
                .then()
                .statusCode(403);
    }

    @Test
    void theEventsLinkOfAVideoFollowsItWithoutABearerToken() throws Exception {
        String a = VideoApi.create("a.mp4", "video/mp4", 1000).getString("id");
        String b = VideoApi.create("b.mp4", "video/mp4", 1000).getString("id");
        String link =
                given().get("/videos/" + a).then().statusCode(200).extract().path("events");
        assertThat(link).startsWith("/videos/" + a + "/events?access=");

        try (SseClient stream = SseClient.connect(HttpClient.newHttpClient(), base.resolve(link))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !stream.events().isEmpty());
            assertThat(stream.response().statusCode()).isEqualTo(200);
            assertThat(stream.response().headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
            JsonNode first = stream.events().get(0).data();
            assertThat(first.path("status").asText()).isEqualTo("AWAITING_UPLOAD");
            assertThat(first.has("events"))
                    .as("a fresh events link in the stream would keep a leaked link alive for ever")
                    .isFalse();
        }

        assertThat(open(link.replace(a, b)).statusCode())
                .as("another video's stream")
                .isEqualTo(403);
        String expired = signer.sign(LinkSigner.Purpose.EVENTS, a, Instant.now().minusSeconds(1));
        assertThat(open("/videos/" + a + "/events?access=" + expired).statusCode())
                .isEqualTo(403);

        videos.update(a, video -> video.deleting(Instant.now())).await().atMost(Duration.ofSeconds(10));
        assertThat(open(link).statusCode())
                .as("a video being deleted, which a page's EventSource would otherwise reopen until the link expired")
                .isEqualTo(404);
    }

    private HttpResponse<InputStream> open(String link) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(base.resolve(link))
                                .header("Accept", "text/event-stream")
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
    }
}
