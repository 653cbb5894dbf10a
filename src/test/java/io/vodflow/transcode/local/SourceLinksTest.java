package io.vodflow.transcode.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vodflow.config.VodflowConfig;
import io.vodflow.storage.S3Uri;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A job reads its source for as long as it runs, however short-lived the URLs it is signed: here
 * they last 2 s (on AWS, the pod's temporary credentials bound them the same way), and every read
 * through the run's link gets a URL of its own.
 */
@QuarkusTest
@TestProfile(SourceLinksTest.ShortLivedUrls.class)
class SourceLinksTest {

    public static class ShortLivedUrls implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vodflow.local.source-url-lifetime", "2s");
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    @Inject
    SourceLinks links;

    @Inject
    S3Client s3;

    @Inject
    VodflowConfig config;

    @Test
    void aLinkStillReadsItsSourceAfterTheUrlItFirstGaveExpired() {
        S3Uri source = storeSource("the source's bytes");
        try (SourceLinks.Link link = links.open(source)) {
            assertThat(URI.create(link.url()).getHost()).isEqualTo("127.0.0.1");
            assertThat(link.url()).endsWith("/" + source.key());
            String firstUrl = redirectOf(link);
            assertThat(send("GET", firstUrl).body()).isEqualTo("the source's bytes");

            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(send("GET", firstUrl).statusCode())
                            .as("the first URL has expired")
                            .isEqualTo(403));

            String laterUrl = redirectOf(link);
            assertThat(laterUrl).isNotEqualTo(firstUrl);
            HttpResponse<String> read = send("GET", laterUrl);
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(read.body()).isEqualTo("the source's bytes");
        }
    }

    @Test
    void aClosedLinkAMadeUpOneAndAnythingButAReadAreRefused() {
        SourceLinks.Link link = links.open(storeSource("bytes"));
        String url = link.url();

        assertThat(send("POST", url).statusCode()).isEqualTo(405);
        assertThat(send("DELETE", url).statusCode()).isEqualTo(405);
        String token = URI.create(url).getPath().split("/")[1];
        assertThat(send("GET", url.replace(token, "0".repeat(32))).statusCode()).isEqualTo(404);
        assertThat(send("GET", url.replace("/source", "/other")).statusCode()).isEqualTo(404);
        assertThat(send("HEAD", url).statusCode()).isEqualTo(405);

        link.close();
        assertThat(send("GET", url).statusCode()).isEqualTo(404);
    }

    /** ffprobe and ffmpeg follow the link's redirects, within the protocols a source may use. */
    @Test
    void aJobReadsItsSourceThroughItsLinkToTheEnd() {
        String id = VideoApi.upload(TestResources.media("h264_aac_320x240_main.mp4"), "video/mp4");

        JsonPath video = VideoApi.awaitStatus(id, "COMPLETE", Duration.ofSeconds(90));

        assertThat(video.getList("playback.renditions")).isNotEmpty();
    }

    /** An object to read, in the output bucket: one in the input bucket would be taken for an upload. */
    private S3Uri storeSource(String content) {
        S3Uri source = new S3Uri(config.storage().outputBucket(), "videos/" + UUID.randomUUID() + "/source");
        s3.putObject(put -> put.bucket(source.bucket()).key(source.key()), RequestBody.fromString(content));
        return source;
    }

    private static String redirectOf(SourceLinks.Link link) {
        HttpResponse<String> answer = send("GET", link.url());
        assertThat(answer.statusCode()).isEqualTo(307);
        assertThat(answer.headers().firstValue("Cache-Control")).hasValue("no-store");
        return answer.headers().firstValue("Location").orElseThrow();
    }

    private static HttpResponse<String> send(String method, String url) {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .method(method, HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
