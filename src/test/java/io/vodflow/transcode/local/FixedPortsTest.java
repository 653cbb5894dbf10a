package io.vodflow.transcode.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vodflow.localcloud.LocalCloudTestPorts;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Production's ports are fixed (8080, and 9000 for management), and Micrometer tags the meters of a
 * server on a fixed port with it: a local job, which reads its source through a loopback server of its
 * own, still runs beside them. (The other tests run the service on a free port, untagged.)
 */
@QuarkusTest
@TestProfile(FixedPortsTest.FixedPort.class)
class FixedPortsTest {

    public static class FixedPort implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // One port for the whole run: the profile is read more than once, by more than one class loader.
            String port = (String) System.getProperties()
                    .computeIfAbsent("fixed-ports-test.port", key -> LocalCloudTestPorts.freePort());
            return Map.of("quarkus.http.test-port", port);
        }
    }

    @Test
    void aVideoIsTranscodedBesideServersOnFixedPorts() {
        String id = VideoApi.upload(TestResources.media("h264_aac_320x240_main.mp4"), "video/mp4");

        JsonPath video = VideoApi.awaitStatus(id, "COMPLETE", Duration.ofMinutes(2));

        assertThat(video.getList("playback.renditions")).isNotEmpty();
    }
}
