package io.vodflow.upload;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;
import io.vodflow.config.VodflowConfig;
import io.vodflow.testing.Users;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.s3.S3Client;

/** Every bad request gets its own 4xx problem naming what is wrong, and leaves nothing behind. */
@QuarkusTest
class BadRequestsTest {

    private static final String UNKNOWN = "3f2c9a1e-0000-4000-8000-000000000000";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    DynamoDbClient dynamo;

    @Inject
    S3Client s3;

    @Inject
    VodflowConfig config;

    static Stream<Arguments> badRequests() {
        String longName = "x".repeat(256) + ".mp4";
        return Stream.of(
                create("missing fileName", "{\"contentType\":\"video/mp4\",\"sizeBytes\":10}", 400, "fileName"),
                create("blank fileName", body("   ", "video/mp4", "10"), 400, "fileName"),
                create("fileName over 255 characters", body(longName, "video/mp4", "10"), 400, "fileName"),
                create("control character in fileName", body("bell\\u0007.mp4", "video/mp4", "10"), 400, "fileName"),
                create("newline in fileName", body("two\\nlines.mp4", "video/mp4", "10"), 400, "fileName"),
                create(
                        "right-to-left override in fileName",
                        body("clip\\u202Eexe.mp4", "video/mp4", "10"),
                        400,
                        "fileName"),
                create("line separator in fileName", body("two\\u2028lines.mp4", "video/mp4", "10"), 400, "fileName"),
                create(
                        "title of nothing visible",
                        "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10,"
                                + "\"title\":\"\\u200B\\u00A0\\u2060\\uFEFF\"}",
                        400,
                        "title"),
                create("missing contentType", "{\"fileName\":\"a.mp4\",\"sizeBytes\":10}", 400, "contentType"),
                create("contentType not a media type", body("a.mp4", "mp4", "10"), 400, "contentType"),
                create(
                        "contentType outside the allow-list",
                        body("a.pdf", "application/pdf", "10"),
                        400,
                        "contentType"),
                create(
                        "contentType over 255 characters",
                        body("a.mp4", "video/mp4; codecs=" + "x".repeat(300), "10"),
                        400,
                        "contentType"),
                create(
                        "contentType parameters outside ASCII, which storage's signature does not carry",
                        body("a.mp4", "video/mp4; x=\u00e9", "200000000"),
                        400,
                        "contentType"),
                create("audio not allowed by default", body("a.mp3", "audio/mpeg", "10"), 400, "contentType"),
                create("missing sizeBytes", "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\"}", 400, "sizeBytes"),
                create("zero sizeBytes", body("a.mp4", "video/mp4", "0"), 400, "sizeBytes"),
                create("negative sizeBytes", body("a.mp4", "video/mp4", "-5"), 400, "sizeBytes"),
                create("sizeBytes over the maximum", body("a.mp4", "video/mp4", "11811160064"), 413, "sizeBytes"),
                create("sizeBytes not a number", body("a.mp4", "video/mp4", "\"lots\""), 400, "sizeBytes"),
                create("fractional sizeBytes", body("a.mp4", "video/mp4", "12.5"), 400, "sizeBytes"),
                create("malformed JSON", "{\"fileName\": \"a.mp4\",", 400, null),
                create("JSON array instead of object", "[]", 400, null),
                create("empty body", "", 400, null),
                create(
                        "title over 255 characters",
                        "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10,\"title\":\""
                                + "t".repeat(300) + "\"}",
                        400,
                        "title"),
                create(
                        "maxHeight above the bounds",
                        "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10,"
                                + "\"output\":{\"maxHeight\":10000}}",
                        400,
                        "output.maxHeight"),
                create(
                        "maxBitrate below the bounds",
                        "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10,"
                                + "\"output\":{\"maxBitrate\":10}}",
                        400,
                        "output.maxBitrate"),
                create(
                        "misspelt option, which would otherwise be dropped",
                        "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10,"
                                + "\"output\":{\"maxheight\":480}}",
                        400,
                        "output.maxheight"),
                create(
                        "field the API does not have",
                        "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10,"
                                + "\"callbackUrl\":\"http://169.254.169.254/\"}",
                        400,
                        "callbackUrl"),
                Arguments.of("not JSON at all", "POST", "/videos", "text/plain", "hello", 415, null),
                Arguments.of("unknown video", "GET", "/videos/" + UNKNOWN, null, null, 404, null),
                Arguments.of("id that is not an id", "GET", "/videos/..%2F..%2Fetc", null, null, 404, null),
                Arguments.of("delete unknown video", "DELETE", "/videos/" + UNKNOWN, null, null, 404, null),
                Arguments.of(
                        "complete unknown video",
                        "POST",
                        "/videos/" + UNKNOWN + "/upload/complete",
                        "application/json",
                        "{\"parts\":[]}",
                        404,
                        null),
                Arguments.of("abort unknown upload", "DELETE", "/videos/" + UNKNOWN + "/upload", null, null, 404, null),
                Arguments.of("limit zero", "GET", "/videos?limit=0", null, null, 400, "limit"),
                Arguments.of("limit not a number", "GET", "/videos?limit=ten", null, null, 400, "limit"),
                Arguments.of("forged cursor", "GET", "/videos?cursor=bm90LWEtY3Vyc29y", null, null, 400, "cursor"),
                Arguments.of("method not allowed", "PUT", "/videos", "application/json", "{}", 405, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void getsItsProblemAndLeavesNothingBehind(
            String name, String method, String path, String contentType, String body, int status, String field) {
        int records = recordCount();
        int objects = objectCount();

        var request = given().urlEncodingEnabled(false);
        if (contentType != null) {
            request.contentType(contentType);
        }
        if (body != null) {
            request.body(body);
        }
        ValidatableResponse response = request.request(method, path)
                .then()
                .statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("title", notNullValue())
                .body("detail", notNullValue())
                .body("type", notNullValue())
                .body("detail", not(org.hamcrest.Matchers.containsString("Exception")));
        if (field != null) {
            response.body("field", equalTo(field));
        } else if (status == 400) {
            response.body("field", nullValue());
        }

        assertThat(recordCount()).as("records").isEqualTo(records);
        assertThat(objectCount()).as("objects").isEqualTo(objects);
    }

    @Test
    void anUnknownFieldIsNamedWithTheFieldsThatAreThere() {
        given().contentType("application/json")
                .body("{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10,"
                        + "\"output\":{\"maxheight\":480}}")
                .post("/videos")
                .then()
                .statusCode(400)
                .body(
                        "detail",
                        equalTo("'output.maxheight' is not a field of this request; the fields here are"
                                + " maxBitrate, maxHeight"));
    }

    @Test
    void severalBadFieldsAreAllNamed() {
        given().contentType("application/json")
                .body("{\"fileName\":\"\",\"contentType\":\"text/html\",\"sizeBytes\":-1}")
                .post("/videos")
                .then()
                .statusCode(400)
                .body("field", equalTo("fileName"))
                .body("errors.field", org.hamcrest.Matchers.contains("fileName", "contentType", "sizeBytes"));
    }

    @Test
    void aCursorAlteredWithinItsOwnListingIsABadRequest() throws IOException {
        VideoApi.create("a.mp4", "video/mp4", 10);
        VideoApi.create("b.mp4", "video/mp4", 10);
        String cursor =
                given().get("/videos?limit=1").then().statusCode(200).extract().path("nextCursor");
        ObjectNode key = (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(cursor));
        String owner = key.path("owner").asText();
        Map<String, UnaryOperator<ObjectNode>> alterations = Map.of(
                "an empty id", altered -> altered.put("id", ""),
                "an id of 2,100 characters", altered -> altered.put("id", "x".repeat(2100)),
                "a creation time beyond any number",
                        altered -> altered.put("createdMillis", new BigInteger("9".repeat(40))),
                "a negative creation time", altered -> altered.put("createdMillis", -1),
                "the owner as a number", altered -> altered.put("owner", 7));
        assertThat(owner).isNotEmpty();

        alterations.forEach((what, alteration) -> {
            String forged = Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(alteration.apply(key.deepCopy()).toString().getBytes(StandardCharsets.UTF_8));
            given().get("/videos?cursor=" + forged)
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("field", equalTo("cursor"));
        });
    }

    // The two absurd bodies below go over a plain socket: the test client's request logging would
    // pretty-print them, and the JDK's client cannot take an early answer to a body it is sending.

    @Test
    void jsonNestedTenThousandLevelsDeepIsRefused() throws IOException {
        int records = recordCount();
        String body = "{\"fileName\":\"a.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":10,\"extra\":"
                + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);

        String response = post(bytes.length, bytes);

        assertThat(response)
                .startsWith("HTTP/1.1 400")
                .containsIgnoringCase("content-type: application/problem+json")
                .contains("\"status\":400", "nesting depth");
        assertThat(recordCount()).isEqualTo(records);
    }

    @Test
    void aFiftyMegabyteBodyIsRefusedBeforeItIsRead() throws IOException {
        int records = recordCount();
        // Only the first 64 KiB of the declared 50 MiB are sent: the answer comes before the rest is needed.
        byte[] start = new byte[64 * 1024];
        Arrays.fill(start, (byte) ' ');

        String response = post(50 * 1024 * 1024, start);

        assertThat(response)
                .startsWith("HTTP/1.1 413")
                .containsIgnoringCase("content-type: application/problem+json")
                .contains("\"status\":413")
                .contains("The request body has 52428800 bytes; the most accepted is 1048576 bytes");
        assertThat(recordCount()).isEqualTo(records);
    }

    /** POST /videos declaring {@code length} bytes and sending {@code body}; returns the whole response. */
    private static String post(long length, byte[] body) throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /videos HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Authorization: Bearer " + Users.token(Users.USER) + "\r\n"
                            + "Content-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.readUnsignedByte());
            }
            Matcher contentLength =
                    Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
            byte[] content = new byte[contentLength.find() ? Integer.parseInt(contentLength.group(1)) : 0];
            in.readFully(content);
            return head + new String(content, StandardCharsets.UTF_8);
        }
    }

    private static Arguments create(String name, String body, int status, String field) {
        return Arguments.of(name, "POST", "/videos", "application/json", body, status, field);
    }

    private static String body(String fileName, String contentType, String size) {
        return "{\"fileName\":\"" + fileName + "\",\"contentType\":\"" + contentType + "\",\"sizeBytes\":" + size + "}";
    }

    private int recordCount() {
        return dynamo.scan(scan -> scan.tableName(config.database().table()).select(Select.COUNT))
                .count();
    }

    private int objectCount() {
        return s3.listObjectsV2(list -> list.bucket(config.storage().inputBucket()))
                        .keyCount()
                + s3.listObjectsV2(list -> list.bucket(config.storage().outputBucket()))
                        .keyCount();
    }
}
