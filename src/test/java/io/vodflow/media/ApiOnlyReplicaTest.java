package io.vodflow.media;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A replica that only serves the API needs no encoders: it starts with no usable ffmpeg at all and
 * still probes uploads with ffprobe before handing them to the workers' queue.
 */
@QuarkusTest
@TestProfile(ApiOnlyReplicaTest.NoFfmpeg.class)
class ApiOnlyReplicaTest {

    public static class NoFfmpeg implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "vodflow.local.worker-enabled", "false",
                    "vodflow.ffmpeg.path", "/nonexistent/ffmpeg");
        }
    }

    @Test
    void startsWithoutFfmpegAndStillProbesUploads() {
        given().get("/q/health/ready").then().statusCode(200);

        String id = VideoApi.upload(TestResources.media("h264_aac_320x240_main.mp4"), "video/mp4");

        JsonPath video = VideoApi.awaitStatus(id, "SUBMITTED", Duration.ofSeconds(30));
        assertThat(video.getString("source.videoCodec")).isEqualTo("h264");
        assertThat(video.getInt("source.width")).isEqualTo(320);
    }
}
