package io.vodflow.transcode.mediaconvert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.mediaconvert.model.H264RateControlMode;
import software.amazon.awssdk.services.mediaconvert.model.JobSettings;

class JobSettingsConverterTest {

    private ObjectNode template;

    @BeforeEach
    void loadTemplate() throws Exception {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("transcode/job-template.json")) {
            template = (ObjectNode) new ObjectMapper().readTree(in);
        }
    }

    @Test
    void theBundledTemplateBecomesTheSdkModel() {
        JobSettings settings = JobSettingsConverter.toJobSettings(template);

        assertThat(settings.outputGroups()).hasSize(2);
        assertThat(settings.outputGroups().get(0).outputs()).hasSize(4);
        var h264 = settings.outputGroups()
                .get(0)
                .outputs()
                .get(0)
                .videoDescription()
                .codecSettings()
                .h264Settings();
        assertThat(h264.rateControlMode()).isEqualTo(H264RateControlMode.QVBR);
        assertThat(h264.maxBitrate()).isEqualTo(6_000_000);
        assertThat(h264.gopSize()).isEqualTo(2.0);
        assertThat(settings.inputs().get(0).audioSelectors()).containsKey("Audio Selector 1");
    }

    @Test
    void aSettingMediaConvertDoesNotKnowIsNamed() {
        ((ObjectNode) template.at("/OutputGroups/0/Outputs/1/VideoDescription")).put("Widht", 1280);

        assertThatThrownBy(() -> JobSettingsConverter.toJobSettings(template))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "OutputGroups[0].Outputs[1].VideoDescription.Widht is not a MediaConvert setting");
    }

    @Test
    void aValueOfTheWrongKindIsNamed() {
        ((ObjectNode) template.at("/OutputGroups/0/OutputGroupSettings/HlsGroupSettings")).put("SegmentLength", "six");

        assertThatThrownBy(() -> JobSettingsConverter.toJobSettings(template))
                .hasMessageContaining(
                        "OutputGroups[0].OutputGroupSettings.HlsGroupSettings.SegmentLength must be a number");
    }
}
