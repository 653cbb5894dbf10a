package io.vodflow.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.vodflow.testing.Users;
import io.vodflow.testing.VideoApi;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every answer, the page's and the API's, successful or not, tells browsers not to guess its type, not
 * to let another site frame it, and to run no script but the page's own files.
 */
@QuarkusTest
class SecurityHeadersTest {

    @Test
    void everyKindOfAnswerForbidsSniffingAndFraming() {
        String id = VideoApi.create("clip.mp4", "video/mp4", 1024).getString("id");
        Map<String, Response> answers = Map.of(
                "the page", RestAssured.get("/"),
                "its script", RestAssured.get("/app.js"),
                "a video", Users.given().get("/videos/" + id),
                "a refusal without a token", RestAssured.get("/videos"),
                "a missing video", Users.given().get("/videos/00000000-0000-4000-8000-000000000000"),
                "a forged playback link", RestAssured.get("/videos/" + id + "/play/not-a-token/hls/master.m3u8"));

        answers.forEach((what, answer) -> {
            assertThat(answer.header("X-Content-Type-Options")).as(what).isEqualTo("nosniff");
            assertThat(answer.header("Content-Security-Policy"))
                    .as(what)
                    .contains("frame-ancestors 'none'", "script-src 'self';", "object-src 'none'", "base-uri 'none'");
        });
        assertThat(answers.get("a refusal without a token").statusCode()).isEqualTo(401);
        assertThat(answers.get("a forged playback link").statusCode()).isEqualTo(403);
    }
}
