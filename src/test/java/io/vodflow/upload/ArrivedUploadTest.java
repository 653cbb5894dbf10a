package io.vodflow.upload;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vodflow.config.VodflowConfig;
import io.vodflow.testing.NotificationsLost;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * A file in storage arrived, whatever its uploader heard: a PUT or a completion whose answer was lost
 * is not a failed upload. (Notifications are not consumed here, so the video still waits for its file.)
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

        assertAbortIsRefusedAsArrived(created);
        assertThat(storedSize(id)).isEqualTo(100);
    }

    @Test
    void aMultipartUploadThatStorageCompletedIsRecordedNotAborted() {
        long size = 11 * 1024 * 1024;
        JsonPath created = VideoApi.create("big.mov", "video/quicktime", size);
        String id = created.getString("id");
        List<Map<String, Object>> parts = VideoApi.putZeros(created.getList("upload.parts"));
        // Storage completed the upload, but its answer never reached the client (or the service).
        s3.completeMultipartUpload(complete -> complete.bucket(config.storage().inputBucket())
                .key("uploads/" + id + "/source")
                .uploadId(created.getString("upload.uploadId"))
                .multipartUpload(upload -> upload.parts(parts.stream()
                        .map(part -> CompletedPart.builder()
                                .partNumber((Integer) part.get("partNumber"))
                                .eTag((String) part.get("eTag"))
                                .build())
                        .toList())));

        // The client, seeing its completion fail, gives the upload up: the file stays.
        assertAbortIsRefusedAsArrived(created);

        // Or it completes again: the completion is recorded, once.
        given().contentType(ContentType.JSON)
                .body(Map.of("parts", parts))
                .post(created.getString("upload.completeUrl"))
                .then()
                .statusCode(200)
                .body("id", equalTo(id));
        given().delete(created.getString("upload.abortUrl"))
                .then()
                .statusCode(409)
                .body("detail", equalTo("The upload of this video is already completed"));
        assertThat(storedSize(id)).isEqualTo(size);
    }

    /** The upload's abort link answers that the file arrived, and the video still waits to take it in. */
    private static void assertAbortIsRefusedAsArrived(JsonPath created) {
        given().delete(created.getString("upload.abortUrl"))
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("detail", equalTo("The upload of this video already arrived"));
        given().get("/videos/" + created.getString("id")).then().body("status", equalTo("AWAITING_UPLOAD"));
    }

    private long storedSize(String id) {
        return s3.headObject(head -> head.bucket(config.storage().inputBucket()).key("uploads/" + id + "/source"))
                .contentLength();
    }
}
