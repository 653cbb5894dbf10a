package io.vodflow.packaging;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vodflow.localcloud.PackagedAppCloud;
import io.vodflow.testing.ManagementInterface;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packaged production application (the jar here; the native executable wherever one is built)
 * driven through its HTTP API only, against embedded services it is pointed at as it would be at AWS:
 * what a client sees from create to playback and delete, with the engine, ffmpeg included, as packaged.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedAppCloud.class)
class PackagedApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anUploadBecomesAPlayableVideoAndIsDeleted() {
        String id = VideoApi.upload(TestResources.media("h264_aac_320x240_main.mp4"), "video/mp4");

        JsonPath video = VideoApi.awaitStatus(id, "COMPLETE", Duration.ofMinutes(3));
        given().get(video.getString("playback.masterPlaylist"))
                .then()
                .statusCode(200)
                .body(startsWith("#EXTM3U"));
        List<String> thumbnails = video.getList("playback.thumbnails");
        assertThat(thumbnails).isNotEmpty();
        given().get(thumbnails.get(0)).then().statusCode(200).contentType("image/jpeg");
        assertThat(given().get("/videos")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("items.id"))
                .contains(id);

        assertLogsJsonAbout(id);

        given().delete("/videos/" + id).then().statusCode(204);
        given().get("/videos/" + id).then().statusCode(404).contentType("application/problem+json");
    }

    /**
     * Production logs JSON lines, and those of the video's ingest and status changes carry its id as a
     * field ({@code mdc.videoId}): one query finds them. The launcher writes the application's output
     * to target/quarkus.log.
     */
    private static void assertLogsJsonAbout(String id) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<JsonNode> about = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("target", "quarkus.log"))) {
                if (line.startsWith("{") && line.contains(id)) {
                    about.add(JSON.readTree(line));
                }
            }
            assertThat(about)
                    .extracting(line -> line.path("message").asText())
                    .anyMatch(message -> message.contains("submitted to local as job"))
                    .contains("Video " + id + " is COMPLETE");
            assertThat(about).allSatisfy(line -> assertThat(
                            line.path("mdc").path("videoId").asText())
                    .as(line.toString())
                    .isEqualTo(id));
        });
    }

    @Test
    void aCallerWithoutATokenIsRefusedWithAProblem() {
        RestAssured.given()
                .get("/videos")
                .then()
                .statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"));
    }

    @Test
    void healthAndMetricsAreServedOnTheManagementPortOnly() throws IOException {
        String management = managementInterface().toString();
        RestAssured.given().get(management + "/q/health/ready").then().statusCode(200);
        RestAssured.given()
                .get(management + "/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("jvm_memory_used_bytes"));
        RestAssured.given().get(management + "/q/openapi").then().statusCode(200);
        // The service's port, the one its Kubernetes Service exposes, serves none of them.
        for (String path : List.of("/q/health/ready", "/q/health/live", "/q/metrics", "/q/openapi")) {
            RestAssured.given().get(path).then().statusCode(404);
        }
        RestAssured.given().get("/auth/config").then().statusCode(200).body("enabled", is(true));
    }

    /** The launcher writes the application's output to target/quarkus.log; its start-up line names the port. */
    private static URI managementInterface() throws IOException {
        return Files.readAllLines(Path.of("target", "quarkus.log")).stream()
                .flatMap(line -> ManagementInterface.namedIn(line).stream())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no management interface in target/quarkus.log"));
    }
}
