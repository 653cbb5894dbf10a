package io.vodflow.security;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With sign-in turned off (a laptop, or a service behind its own gateway), requests carry no token
 * and every one is the anonymous administrator's: the API works as a whole without a provider.
 */
@QuarkusTest
@TestProfile(SignInOffTest.Off.class)
class SignInOffTest {

    public static class Off implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vodflow.auth.enabled", "false");
        }
    }

    @Test
    void requestsWithoutATokenCreateReadAndListVideos() {
        String id = RestAssured.given()
                .contentType(ContentType.JSON)
                .body(Map.of("fileName", "clip.mp4", "contentType", "video/mp4", "sizeBytes", 1000))
                .post("/videos")
                .then()
                .statusCode(201)
                .extract()
                .path("id");

        RestAssured.get("/videos/" + id)
                .then()
                .statusCode(200)
                .body("owner", equalTo("anonymous"))
                .body("status", equalTo("AWAITING_UPLOAD"));
        RestAssured.get("/videos").then().statusCode(200).body("items.id", hasItem(id));
    }
}
