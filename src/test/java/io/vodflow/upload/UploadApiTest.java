package io.vodflow.upload;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vodflow.config.VodflowConfig;
import io.vodflow.security.LinkSigner;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

@QuarkusTest
class UploadApiTest {

    private static final String SAMPLE = "h264_aac_320x240_main.mp4";

    @Inject
    S3Client s3;

    @Inject
    VodflowConfig config;

    @Inject
    LinkSigner signer;

    @Test
    void singlePutLandsInTheInputBucketWithTheDeclaredTypeAndSize() {
        byte[] bytes = VideoApi.read(TestResources.media(SAMPLE));
        JsonPath created = given().contentType(ContentType.JSON)
                .body(Map.of(
                        "fileName",
                        SAMPLE,
                        "contentType",
                        "video/mp4",
                        "sizeBytes",
                        bytes.length,
                        "title",
                        "Sample",
                        "output",
                        Map.of("maxHeight", 720, "maxBitrate", 3_000_000)))
                .when()
                .post("/videos")
                .then()
                .statusCode(201)
                .header("Location", notNullValue())
                .body("status", equalTo("AWAITING_UPLOAD"))
                .body("upload.type", equalTo("single"))
                .body("upload.method", equalTo("PUT"))
                .body("upload.headers.Content-Type", equalTo("video/mp4"))
                .body("upload.headers.Content-Length", equalTo(Integer.toString(bytes.length)))
                .extract()
                .jsonPath();
        String id = created.getString("id");
        assertThat(created.getString("upload.url"))
                .contains("/uploads/" + id + "/source")
                .doesNotContain(SAMPLE);

        HttpResponse<String> put =
                VideoApi.put(created.getString("upload.url"), created.getMap("upload.headers"), bytes);

        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        HeadObjectResponse stored = s3.headObject(
                head -> head.bucket(config.storage().inputBucket()).key("uploads/" + id + "/source"));
        assertThat(stored.contentType()).isEqualTo("video/mp4");
        assertThat(stored.contentLength()).isEqualTo(bytes.length);
        given().get("/videos/" + id)
                .then()
                .statusCode(200)
                .body("fileName", equalTo(SAMPLE))
                .body("title", equalTo("Sample"))
                .body("sizeBytes", equalTo(bytes.length))
                .body("output.maxHeight", equalTo(720));
    }

    @Test
    void anUploadUrlDemandsThatNoSourceExistsYet() {
        byte[] bytes = new byte[100];
        JsonPath created = VideoApi.create("a.mp4", "video/mp4", bytes.length);
        Map<String, String> headers = created.getMap("upload.headers");

        // S3 refuses a second PUT with this condition; the signature makes the condition mandatory.
        assertThat(headers).containsEntry("If-None-Match", "*");
        assertThat(VideoApi.put(created.getString("upload.url"), Map.of("Content-Type", "video/mp4"), bytes)
                        .statusCode())
                .isEqualTo(403);
        assertThat(VideoApi.put(created.getString("upload.url"), headers, bytes).statusCode())
                .isEqualTo(200);
    }

    @Test
    void storageRefusesAnotherContentTypeOrLength() {
        byte[] bytes = new byte[100];
        JsonPath created = VideoApi.create("a.mp4", "video/mp4", bytes.length);
        String url = created.getString("upload.url");

        HttpResponse<String> otherType = VideoApi.put(url, Map.of("Content-Type", "video/webm"), bytes);
        HttpResponse<String> otherLength = VideoApi.put(url, Map.of("Content-Type", "video/mp4"), new byte[1000]);

        assertThat(otherType.statusCode()).isEqualTo(403);
        assertThat(otherLength.statusCode()).isEqualTo(403);
        assertNoSource(created.getString("id"));
    }

    @Test
    void aUrlForOneVideoCannotWriteAnotherVideosKeyOrAnOutput() {
        JsonPath first = VideoApi.create("a.mp4", "video/mp4", 4);
        JsonPath second = VideoApi.create("b.mp4", "video/mp4", 4);
        String url = first.getString("upload.url");
        Map<String, String> headers = first.getMap("upload.headers");
        String otherVideo = url.replace(first.getString("id"), second.getString("id"));
        String outputKey = url.replace(
                config.storage().inputBucket() + "/uploads/" + first.getString("id") + "/source",
                config.storage().outputBucket() + "/videos/" + first.getString("id") + "/hls/master.m3u8");
        assertThat(outputKey).isNotEqualTo(url);

        assertThat(VideoApi.put(otherVideo, headers, new byte[4]).statusCode()).isEqualTo(403);
        assertThat(VideoApi.put(outputKey, headers, new byte[4]).statusCode()).isEqualTo(403);

        assertNoSource(second.getString("id"));
        assertThatThrownBy(
                        () -> s3.headObject(head -> head.bucket(config.storage().outputBucket())
                                .key("videos/" + first.getString("id") + "/hls/master.m3u8")))
                .isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void multipartUploadInThreePartsStoresIdenticalBytes() throws Exception {
        byte[] file = new byte[12 * 1024 * 1024 + 12345];
        new Random(42).nextBytes(file);
        JsonPath created = VideoApi.create("big.mov", "video/quicktime", file.length);
        String id = created.getString("id");
        assertThat(created.getString("upload.type")).isEqualTo("multipart");
        List<Map<String, Object>> parts = created.getList("upload.parts");
        assertThat(parts).hasSize(3);

        List<Map<String, Object>> completed = new ArrayList<>();
        int offset = 0;
        for (Map<String, Object> part : parts) {
            int size = ((Number) part.get("sizeBytes")).intValue();
            byte[] chunk = java.util.Arrays.copyOfRange(file, offset, offset + size);
            offset += size;
            HttpResponse<String> put = VideoApi.put((String) part.get("url"), Map.of(), chunk);
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            completed.add(Map.of(
                    "partNumber",
                    part.get("partNumber"),
                    "eTag",
                    put.headers().firstValue("ETag").orElseThrow()));
        }
        assertThat(offset).isEqualTo(file.length);

        given().contentType(ContentType.JSON)
                .body(Map.of("parts", completed))
                .post(created.getString("upload.completeUrl"))
                .then()
                .statusCode(200)
                .body("id", equalTo(id))
                // The upload's links open the upload only, not the video's events (and then its playback).
                .body("events", nullValue());

        byte[] stored = s3.getObjectAsBytes(
                        get -> get.bucket(config.storage().inputBucket()).key("uploads/" + id + "/source"))
                .asByteArray();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertThat(sha.digest(stored))
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(file));

        // Completing twice is a conflict, not a second upload.
        given().contentType(ContentType.JSON)
                .body(Map.of("parts", completed))
                .post(created.getString("upload.completeUrl"))
                .then()
                .statusCode(409)
                .contentType("application/problem+json");
    }

    @Test
    void aPartListThatDoesNotMatchWhatWasUploadedIsRefused() {
        JsonPath created = VideoApi.create("big.mov", "video/quicktime", 11 * 1024 * 1024);
        String complete = created.getString("upload.completeUrl");
        List<Map<String, Object>> parts = new ArrayList<>();
        for (int number = 1; number <= 3; number++) {
            parts.add(Map.of("partNumber", number, "eTag", "\"00000000000000000000000000000000\""));
        }

        given().contentType(ContentType.JSON)
                .body(Map.of("parts", parts.subList(0, 2)))
                .post(complete)
                .then()
                .statusCode(400)
                .body("field", equalTo("parts"));
        given().contentType(ContentType.JSON)
                .body(Map.of("parts", parts))
                .post(complete)
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("parts"));
        // Nothing that is not an ETag reaches S3's XML: control characters, or a kilobyte of text.
        for (String eTag : List.of("\"abc\u0001\"", "\"abc def\"", "a".repeat(1000))) {
            List<Map<String, Object>> forged = new ArrayList<>(parts);
            forged.set(1, Map.of("partNumber", 2, "eTag", eTag));
            given().contentType(ContentType.JSON)
                    .body(Map.of("parts", forged))
                    .post(complete)
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("field", equalTo("parts[1].eTag"));
        }
        assertNoSource(created.getString("id"));
    }

    @Test
    void completingASinglePutUploadIsAConflict() {
        JsonPath created = VideoApi.create("a.mp4", "video/mp4", 100);
        given().contentType(ContentType.JSON)
                .body(Map.of("parts", List.of(Map.of("partNumber", 1, "eTag", "x"))))
                .post("/videos/" + created.getString("id") + "/upload/complete")
                .then()
                .statusCode(409)
                .body("title", equalTo("Conflict with the video's state"));
    }

    @Test
    void abortingAnUploadCancelsTheVideoAndItsParts() {
        JsonPath created = VideoApi.create("big.mov", "video/quicktime", 11 * 1024 * 1024);
        String id = created.getString("id");
        String uploadId = created.getString("upload.uploadId");
        assertThat(pendingUploads()).contains(uploadId);

        given().delete("/videos/" + id + "/upload").then().statusCode(204);

        given().get("/videos/" + id)
                .then()
                .statusCode(200)
                .body("status", equalTo("CANCELED"))
                .body("error.code", equalTo("UPLOAD_ABORTED"));
        given().delete("/videos/" + id + "/upload").then().statusCode(409);
        assertThat(pendingUploads()).doesNotContain(uploadId);
    }

    @Test
    void anUploadThatOutlastsItsTokenIsCompletedOrAbortedThroughItsSignedLinks() {
        JsonPath first = VideoApi.create("big.mov", "video/quicktime", 11 * 1024 * 1024);
        JsonPath second = VideoApi.create("big.mov", "video/quicktime", 11 * 1024 * 1024);
        String complete = first.getString("upload.completeUrl");
        String abort = second.getString("upload.abortUrl");
        assertThat(complete).startsWith("/videos/" + first.getString("id") + "/upload/complete?access=");

        // Without any token: the link alone opens the call, for its own video only.
        RestAssured.given()
                .delete(abort.replace(second.getString("id"), first.getString("id")))
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        // Each link opens its own action: the links that complete the upload or sign its parts
        // again do not abort it, nor the abort link sign parts.
        String access = "?access=";
        String videoPath = abort.substring(0, abort.indexOf(access));
        for (String other : List.of("upload.completeUrl", "upload.partsUrl")) {
            String token =
                    second.getString(other).substring(second.getString(other).indexOf(access));
            RestAssured.given().delete(videoPath + token).then().statusCode(403);
        }
        RestAssured.given()
                .post(videoPath + "/parts" + abort.substring(abort.indexOf(access)))
                .then()
                .statusCode(403);
        given().get("/videos/" + second.getString("id")).then().body("status", equalTo("AWAITING_UPLOAD"));
        RestAssured.given().delete(abort).then().statusCode(204);
        given().get("/videos/" + second.getString("id")).then().body("status", equalTo("CANCELED"));

        RestAssured.given()
                .contentType(ContentType.JSON)
                .body(Map.of("parts", VideoApi.putZeros(first.getList("upload.parts"))))
                .post(complete)
                .then()
                .statusCode(200)
                .body("id", equalTo(first.getString("id")));
    }

    @Test
    @SuppressWarnings("deprecation")
    void anUploadLinkSignedBeforeEachActionHadItsOwnStillOpensTheUpload() {
        String id =
                VideoApi.create("big.mov", "video/quicktime", 11 * 1024 * 1024).getString("id");
        String signedBefore =
                signer.sign(LinkSigner.Purpose.UPLOAD, id, Instant.now().plus(Duration.ofHours(1)));

        RestAssured.given()
                .delete("/videos/" + id + "/upload?access=" + signedBefore)
                .then()
                .statusCode(204);

        given().get("/videos/" + id).then().body("status", equalTo("CANCELED"));
    }

    @Test
    void anUploadThatOutlastsItsPartUrlsHasThemSignedAgain() {
        JsonPath created = VideoApi.create("big.mov", "video/quicktime", 11 * 1024 * 1024);
        String renew = created.getString("upload.partsUrl");

        // Without a token, as when the upload outlasts it too.
        JsonPath renewed = RestAssured.given()
                .post(renew)
                .then()
                .statusCode(200)
                .body("type", equalTo("multipart"))
                .body("uploadId", equalTo(created.getString("upload.uploadId")))
                .extract()
                .jsonPath();
        assertThat(renewed.getList("parts.sizeBytes")).isEqualTo(created.getList("upload.parts.sizeBytes"));
        // Signed again, not for longer: the upload must still arrive within the time it was given.
        Instant createdAt = Instant.parse(given().get("/videos/" + created.getString("id"))
                .then()
                .extract()
                .path("createdAt"));
        assertThat(Instant.parse(renewed.getString("expiresAt")))
                .isBeforeOrEqualTo(createdAt.plus(config.upload().longestUrlLifetime()));
        assertThat(expiresSeconds(renewed.getString("parts[0].url")))
                .isLessThan(config.upload().partUrlLifetime().toSeconds());

        RestAssured.given()
                .contentType(ContentType.JSON)
                .body(Map.of("parts", VideoApi.putZeros(renewed.getList("parts"))))
                .post(renewed.getString("completeUrl"))
                .then()
                .statusCode(200);
        // A completed upload has nothing left to sign.
        RestAssured.given().post(renew).then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void aFileUploadedAfterItsUploadWasAbortedIsRemoved() {
        byte[] bytes = VideoApi.read(TestResources.media(SAMPLE));
        JsonPath created = VideoApi.create(SAMPLE, "video/mp4", bytes.length);
        String id = created.getString("id");
        given().delete("/videos/" + id + "/upload").then().statusCode(204);

        // The presigned URL still works until it expires; the canceled video does not keep the file.
        assertThat(VideoApi.put(created.getString("upload.url"), created.getMap("upload.headers"), bytes)
                        .statusCode())
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertNoSource(id));
        given().get("/videos/" + id).then().body("status", equalTo("CANCELED"));
    }

    @Test
    void aFileUploadedAfterItsVideoWasDeletedIsRemoved() {
        byte[] bytes = VideoApi.read(TestResources.media(SAMPLE));
        JsonPath created = VideoApi.create(SAMPLE, "video/mp4", bytes.length);
        String id = created.getString("id");
        given().delete("/videos/" + id).then().statusCode(204);

        assertThat(VideoApi.put(created.getString("upload.url"), created.getMap("upload.headers"), bytes)
                        .statusCode())
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertNoSource(id));
        given().get("/videos/" + id).then().statusCode(404);
    }

    @Test
    void listingIsNewestFirstAndPagesWithACursor() {
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            mine.add(VideoApi.create("list-" + i + ".mp4", "video/mp4", 10).getString("id"));
        }

        List<String> listed = new ArrayList<>();
        String cursor = null;
        do {
            var request = given().queryParam("limit", 2);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page =
                    request.get("/videos").then().statusCode(200).extract().jsonPath();
            assertThat(page.getList("items")).hasSizeLessThanOrEqualTo(2);
            listed.addAll(page.getList("items.id"));
            cursor = page.getString("nextCursor");
        } while (cursor != null);

        assertThat(listed).doesNotHaveDuplicates();
        assertThat(listed.stream().filter(mine::contains).toList())
                .containsExactly(mine.get(2), mine.get(1), mine.get(0));
    }

    @Test
    void deletingAVideoRemovesItsRecordSourceAndOutputs() {
        String id = VideoApi.upload(TestResources.media(SAMPLE), "video/mp4");
        String output = "videos/" + id + "/hls/master.m3u8";
        s3.putObject(put -> put.bucket(config.storage().outputBucket()).key(output), RequestBody.fromString("#EXTM3U"));

        given().delete("/videos/" + id).then().statusCode(204);

        given().get("/videos/" + id).then().statusCode(404).contentType("application/problem+json");
        given().delete("/videos/" + id).then().statusCode(404).contentType("application/problem+json");
        assertNoSource(id);
        assertThatThrownBy(() -> s3.headObject(
                        head -> head.bucket(config.storage().outputBucket()).key(output)))
                .isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void browsersOfAnyOriginMayCallTheApiInDevAndTest() {
        Map<String, String> preflight = new HashMap<>();
        preflight.put("Origin", "http://localhost:5173");
        preflight.put("Access-Control-Request-Method", "POST");
        preflight.put("Access-Control-Request-Headers", "content-type");
        given().headers(preflight)
                .options("/videos")
                .then()
                .statusCode(200)
                .header("Access-Control-Allow-Origin", "http://localhost:5173");
    }

    @Test
    void theOpenApiDocumentDescribesEveryEndpointWithItsSchemas() {
        JsonPath openapi = given().queryParam("format", "json")
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(openapi.getMap("paths"))
                .containsKeys(
                        "/videos",
                        "/videos/{id}",
                        "/videos/{id}/upload",
                        "/videos/{id}/upload/complete",
                        "/videos/{id}/upload/parts");
        assertThat(openapi.getMap("paths.'/videos'")).containsKeys("get", "post");
        assertThat(openapi.getMap("paths.'/videos/{id}'")).containsKeys("get", "delete");
        assertThat(openapi.getMap("components.schemas"))
                .containsKeys(
                        "CreateVideo",
                        "CreatedVideo",
                        "UploadInstructions",
                        "CompleteUpload",
                        "Video",
                        "VideoPage",
                        "Problem");
        assertThat(openapi.getString(
                        "paths.'/videos'.post.responses.'413'.content.'application/problem+json'.schema.$ref"))
                .endsWith("/Problem");
        // The declared constraints reach the document: a generated client knows what is required.
        assertThat(openapi.getList("components.schemas.CreateVideo.required", String.class))
                .containsExactlyInAnyOrder("fileName", "contentType", "sizeBytes");
    }

    /** Sends each part as zeros of its size; returns the part list that completes the upload. */
    /** How long a presigned URL's signature says it is valid. */
    private static long expiresSeconds(String url) {
        Matcher expires = Pattern.compile("[?&]X-Amz-Expires=(\\d+)").matcher(url);
        assertThat(expires.find()).as(url).isTrue();
        return Long.parseLong(expires.group(1));
    }

    private List<String> pendingUploads() {
        return s3.listMultipartUploads(list -> list.bucket(config.storage().inputBucket())).uploads().stream()
                .map(upload -> upload.uploadId())
                .toList();
    }

    private void assertNoSource(String id) {
        assertThatThrownBy(() -> s3.headObject(
                        head -> head.bucket(config.storage().inputBucket()).key("uploads/" + id + "/source")))
                .isInstanceOf(NoSuchKeyException.class);
    }
}
