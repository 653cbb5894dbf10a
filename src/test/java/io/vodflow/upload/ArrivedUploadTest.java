package io.vodflow.upload;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vodflow.config.VodflowConfig;
import io.vodflow.testing.NotificationsLost;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A file in storage arrived, whatever its uploader heard: a PUT whose answer was lost is not a failed
 * upload. (Notifications are not consumed here, so the video still waits for its file.)
 */
@QuarkusTest
@TestProfile(NotificationsLost.class)
class ArrivedUploadTest {

    @Inject
    S3Client s3;

    @Inject
    VodflowConfig config;

    @Test
    void anUploadThatArrivedIsNotAborted() {
        byte[] bytes = new byte[100];
        JsonPath created = VideoApi.create("a.mp4", "video/mp4", bytes.length);
        String id = created.getString("id");
        assertThat(VideoApi.put(created.getString("upload.url"), created.getMap("upload.headers"), bytes)
                        .statusCode())
                .isEqualTo(200);

        given().delete(created.getString("upload.abortUrl"))
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("detail", equalTo("The upload of this video already arrived"));

        given().get("/videos/" + id).then().body("status", equalTo("AWAITING_UPLOAD"));
        assertThat(s3.headObject(head ->
                                head.bucket(config.storage().inputBucket()).key("uploads/" + id + "/source"))
                        .contentLength())
                .isEqualTo(100);
    }
}
