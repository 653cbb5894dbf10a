package io.vodflow.testing;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** The client side of the API, as a browser or a script would use it: create a video, PUT its bytes. */
public final class VideoApi {

    private VideoApi() {}

    /** POST /videos; asserts 201 and returns the body. */
    public static JsonPath create(String fileName, String contentType, long sizeBytes) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("fileName", fileName, "contentType", contentType, "sizeBytes", sizeBytes))
                .when()
                .post("/videos")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
    }

    /** Creates a video for {@code file} and uploads it with the single presigned PUT; returns its id. */
    public static String upload(Path file, String contentType) {
        byte[] bytes = read(file);
        JsonPath created = create(file.getFileName().toString(), contentType, bytes.length);
        HttpResponse<String> response = put(created.getString("upload.url"), created.getMap("upload.headers"), bytes);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return created.getString("id");
    }

    /** Waits until the video reaches {@code status} and returns it as GET /videos/{id} shows it. */
    public static JsonPath awaitStatus(String id, String status, Duration timeout) {
        return awaitVideo(id, timeout, current -> assertThat(current.getString("status"))
                .as("status of %s: %s", id, current.prettify())
                .isEqualTo(status));
    }

    /** Waits until the video, as GET /videos/{id} shows it, passes {@code assertion}, and returns it. */
    public static JsonPath awaitVideo(String id, Duration timeout, Consumer<JsonPath> assertion) {
        AtomicReference<JsonPath> video = new AtomicReference<>();
        await().atMost(timeout).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonPath current = given().get("/videos/" + id)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            video.set(current);
            assertion.accept(current);
        });
        return video.get();
    }

    /** Waits until the video plays while it is processed (it has a {@code playableAt}), and returns it. */
    public static JsonPath awaitPlayable(String id, Duration timeout) {
        return awaitVideo(id, timeout, video -> assertThat(video.getString("playableAt"))
                .as(video.prettify())
                .isNotNull());
    }

    /** A PUT straight to storage with the given headers (Content-Length comes from the body). */
    public static HttpResponse<String> put(String url, Map<String, String> headers, byte[] body) {
        // Expect: 100-continue lets storage refuse a request before its body is sent, as S3 clients do;
        // otherwise an early refusal races with the upload and may reset the connection.
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .expectContinue(true)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Content-Length")) {
                request.header(name, value);
            }
        });
        // The embedded S3 may still refuse after it let the body start, closing the connection under
        // the client: the PUT is sent again, as S3 clients retry, and the answer is what counts. A
        // body of hundreds of kilobytes can lose the answer that way on every try (seen in CI), so
        // tests that expect a refusal send a few bytes, which arrive with the headers. Each
        // try gets a client of its own, on HTTP/1.1: a refused PUT leaves its connection unusable, and
        // a pooled client (JDK 17) may hand that connection to the next try, which then reads nothing.
        IOException failure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            try {
                return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new UncheckedIOException(failure);
    }

    /**
     * PUTs zeros of each part's size to its URL, asserting that storage took each, and returns the
     * part list that completes the upload: number and ETag.
     */
    public static List<Map<String, Object>> putZeros(List<Map<String, Object>> parts) {
        List<Map<String, Object>> sent = new ArrayList<>();
        for (Map<String, Object> part : parts) {
            HttpResponse<String> put =
                    put((String) part.get("url"), Map.of(), new byte[((Number) part.get("sizeBytes")).intValue()]);
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            sent.add(Map.of(
                    "partNumber",
                    part.get("partNumber"),
                    "eTag",
                    put.headers().firstValue("ETag").orElseThrow()));
        }
        return sent;
    }

    public static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
