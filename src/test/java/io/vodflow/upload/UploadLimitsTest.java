package io.vodflow.upload;

import static io.vodflow.testing.Users.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The limits a client checks before creating a video are the ones creating a video enforces. */
@QuarkusTest
class UploadLimitsTest {

    private static final long TEN_GIB = 10L * 1024 * 1024 * 1024;

    @Test
    void limitsAreTheConfiguredOnes() {
        given().get("/videos/limits")
                .then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .body("maxSizeBytes", equalTo(TEN_GIB))
                .body("allowedContentTypes", contains("video/*"))
                .body("media.maxWidth", equalTo(7680))
                .body("media.maxHeight", equalTo(7680))
                .body("media.maxPixels", equalTo(35389440))
                .body("media.maxDurationSeconds", equalTo(21600))
                .body("media.maxFrameRate", equalTo(120.0f))
                .body("media.maxStreams", equalTo(16))
                .body("media.maxBitrate", equalTo(400000000));
    }

    @Test
    void aFileOfExactlyTheMaximumIsAcceptedAndOneByteMoreIsRefused() {
        long max = given().get("/videos/limits").then().extract().jsonPath().getLong("maxSizeBytes");

        create("video/mp4", max).statusCode(201);
        create("video/mp4", max + 1).statusCode(413);
    }

    @Test
    void aTypeOutsideTheAllowedOnesIsRefused() {
        create("text/plain", 10).statusCode(400).body("field", equalTo("contentType"));
    }

    @Test
    void theEndpointIsDocumented() {
        given().accept(ContentType.JSON)
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .body("paths", hasKey("/videos/limits"))
                .body("components.schemas.UploadLimits.properties", hasKey("maxSizeBytes"));
    }

    private static ValidatableResponse create(String contentType, long size) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("fileName", "limit.mp4", "contentType", contentType, "sizeBytes", size))
                .post("/videos")
                .then();
    }
}
