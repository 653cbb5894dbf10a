package io.vodflow.transcode.local;

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

/** An operator's template with settings the local engine does not implement: the job says which. */
@QuarkusTest
@TestProfile(UnsupportedSettingsTest.OperatorTemplate.class)
class UnsupportedSettingsTest {

    public static class OperatorTemplate implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "vodflow.transcoder.template-file",
                    "src/test/resources/templates/unsupported-by-local-engine.json");
        }
    }

    @Test
    void theJobEndsInErrorNamingEveryUnsupportedSetting() {
        String id = VideoApi.upload(TestResources.media("vp8_vorbis_720p_1s.webm"), "video/webm");

        JsonPath video = VideoApi.awaitStatus(id, "ERROR", Duration.ofSeconds(60));

        assertThat(video.getString("error.code")).isEqualTo("JOB_1030");
        assertThat(video.getString("error.message"))
                .startsWith("The local engine does not support these settings: ")
                .contains(
                        "OutputGroups[0].Outputs[0].VideoDescription.CodecSettings.H264Settings.CodecProfile=HIGH_422",
                        "OutputGroups[0].Outputs[1].VideoDescription.CodecSettings.H264Settings.EntropyEncoding",
                        "OutputGroups[0].Outputs[2].VideoDescription.ScalingBehavior");
    }
}
