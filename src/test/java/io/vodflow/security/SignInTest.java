package io.vodflow.security;

import static io.vodflow.testing.Users.as;
import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.vodflow.testing.Users;
import io.vodflow.testing.VideoApi;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Who may do what: every /videos endpoint wants a valid bearer token, and a video is reached only by
 * its owner and by administrators; anyone else is told it does not exist.
 */
@QuarkusTest
class SignInTest {

    /** Each endpoint as method and path, {id} standing for an existing video. */
    private static final List<List<String>> ENDPOINTS = List.of(
            List.of("GET", "/videos"),
            List.of("POST", "/videos"),
            List.of("GET", "/videos/limits"),
            List.of("GET", "/videos/{id}"),
            List.of("DELETE", "/videos/{id}"),
            List.of("GET", "/videos/{id}/events"),
            List.of("POST", "/videos/{id}/upload/complete"),
            List.of("POST", "/videos/{id}/upload/parts"),
            List.of("DELETE", "/videos/{id}/upload"),
            List.of("GET", "/videos/{id}/hls/master.m3u8"));

    @Test
    void everyEndpointRefusesACallerWithoutAValidToken() {
        String id = VideoApi.create("mine.mp4", "video/mp4", 200L * 1024 * 1024).getString("id");
        Map<String, String> credentials = Map.of(
                "no token",
                "",
                "an expired token",
                "Bearer " + expiredToken(),
                "an altered token",
                "Bearer " + altered(Users.token(Users.USER)),
                "a token issued to another application",
                "Bearer " + Users.tokenIssuedTo(Users.USER, "another-app"),
                "not a token",
                "Bearer not-a-jwt",
                "another scheme",
                "Basic Ym9iOmJvYg==");

        credentials.forEach((what, authorization) -> {
            for (List<String> endpoint : ENDPOINTS) {
                var request =
                        RestAssured.given().contentType("application/json").body("{}");
                if (!authorization.isEmpty()) {
                    request.header("Authorization", authorization);
                }
                Response response =
                        request.request(endpoint.get(0), endpoint.get(1).replace("{id}", id));
                assertThat(response.statusCode())
                        .as("%s %s with %s", endpoint.get(0), endpoint.get(1), what)
                        .isEqualTo(401);
                assertThat(response.contentType()).startsWith("application/problem+json");
                assertThat(response.header("WWW-Authenticate")).isEqualTo("Bearer");
            }
        });

        given().get("/videos/" + id).then().statusCode(200).body("status", equalTo("AWAITING_UPLOAD"));
        RestAssured.get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void aPlainUserCannotReachAnotherUsersVideoAndTheAdministratorReachesEvery() {
        String admins = as(Users.ADMIN)
                .contentType("application/json")
                .body(Map.of("fileName", "admins.mp4", "contentType", "video/mp4", "sizeBytes", 1000))
                .post("/videos")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String users = VideoApi.create("users.mp4", "video/mp4", 1000).getString("id");

        for (List<String> endpoint : ENDPOINTS.subList(3, ENDPOINTS.size() - 1)) {
            Response response = given().contentType("application/json")
                    .body("{\"parts\":[]}")
                    .request(endpoint.get(0), endpoint.get(1).replace("{id}", admins));
            assertThat(response.statusCode())
                    .as("%s %s of another user's video", endpoint.get(0), endpoint.get(1))
                    .isEqualTo(404);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
        assertThat(listed(given(), "")).contains(users).doesNotContain(admins);
        given().queryParam("all", true).get("/videos").then().statusCode(400);
        as(Users.OTHER).get("/videos/" + users).then().statusCode(404);

        as(Users.ADMIN).get("/videos/" + users).then().statusCode(200).body("owner", equalTo(Users.USER));
        assertThat(listed(as(Users.ADMIN), "")).contains(admins).doesNotContain(users);
        assertThat(listed(as(Users.ADMIN), "true")).contains(admins, users);
        as(Users.ADMIN).delete("/videos/" + users).then().statusCode(204);
        given().get("/videos/" + users).then().statusCode(404);
        as(Users.ADMIN).get("/videos/" + admins).then().statusCode(200);
    }

    /** Every page of the caller's listing. */
    private static List<String> listed(io.restassured.specification.RequestSpecification caller, String all) {
        List<String> ids = new java.util.ArrayList<>();
        String cursor = null;
        do {
            var request = caller.queryParam("limit", 100);
            if (!all.isEmpty()) {
                request.queryParam("all", all);
            }
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page =
                    request.get("/videos").then().statusCode(200).extract().jsonPath();
            ids.addAll(page.getList("items.id"));
            cursor = page.getString("nextCursor");
        } while (cursor != null);
        return ids;
    }

    /** A token of the plain user that expired a minute ago. */
    private static String expiredToken() {
        return Users.tokenExpiringAt(Users.USER, Instant.now().minusSeconds(60));
    }

    /** The same token claiming another subject: its signature no longer matches. */
    private static String altered(String token) {
        String[] parts = token.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String forged = claims.replace("\"sub\":\"" + Users.USER + "\"", "\"sub\":\"" + Users.ADMIN + "\"");
        assertThat(forged).isNotEqualTo(claims);
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(forged.getBytes()) + "."
                + parts[2];
    }
}
