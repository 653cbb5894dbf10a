package io.vodflow.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vodflow.media.MediaInfo;
import io.vodflow.media.RenditionLimits;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bundled template fitted to sources of every shape. */
class LadderFitterTest {

    private static final LadderFitter.Destinations WHERE = new LadderFitter.Destinations(
            "s3://in/uploads/v/source", "s3://out/videos/v/hls/master", "s3://out/videos/v/thumbnails/thumb");

    private static ObjectNode template;

    @BeforeAll
    static void loadTemplate() throws IOException {
        try (InputStream in = LadderFitterTest.class.getClassLoader().getResourceAsStream(JobTemplate.BUNDLED)) {
            template = (ObjectNode) new ObjectMapper().readTree(in);
        }
    }

    @Test
    void aFullHdSourceKeepsTheWholeLadder() {
        ObjectNode settings = fit(video(1920, 1080, 0), null);

        assertThat(ladder(settings)).containsExactly("1920x1080", "1280x720", "854x480", "640x360");
        assertThat(thumbnailSize(settings)).isEqualTo("640x360");
        assertThat(settings.path("Inputs").get(0).path("FileInput").asText()).isEqualTo(WHERE.input());
        assertThat(hls(settings)
                        .path("OutputGroupSettings")
                        .path("HlsGroupSettings")
                        .path("Destination")
                        .asText())
                .isEqualTo(WHERE.hls());
    }

    @Test
    void rungsAboveTheSourceAreDroppedAndOneAtItsSizeRemains() {
        assertThat(ladder(fit(video(1778, 1000, 0), null)))
                .containsExactly("1778x1000", "1280x720", "854x480", "640x360");
        assertThat(names(fit(video(1778, 1000, 0), null))).containsExactly("_1000p", "_720p", "_480p", "_360p");
        assertThat(ladder(fit(video(320, 240, 0), null))).containsExactly("320x240");
        assertThat(ladder(fit(video(1280, 720, 0), null))).containsExactly("1280x720", "854x480", "640x360");
    }

    @Test
    void oddDimensionsBecomeEvenWithoutUpscaling() {
        ObjectNode settings = fit(video(321, 241, 0), null);

        assertThat(ladder(settings)).containsExactly("320x240");
        assertThat(thumbnailSize(settings)).isEqualTo("320x240");
    }

    @Test
    void portraitSourcesGetTheLadderTurned() {
        ObjectNode settings = fit(video(720, 1280, 0), null);

        assertThat(ladder(settings)).containsExactly("720x1280", "480x854", "360x640");
        assertThat(thumbnailSize(settings)).isEqualTo("360x640");
    }

    @Test
    void rotationMetadataCountsAsTheDisplayedShape() {
        assertThat(ladder(fit(video(1920, 1080, 90), null)))
                .containsExactly("1080x1920", "720x1280", "480x854", "360x640");
    }

    @Test
    void theClientsMaxHeightCapsTheLadder() {
        assertThat(ladder(fit(video(1920, 1080, 0), new RenditionLimits(480, null))))
                .containsExactly("854x480", "640x360");
        assertThat(ladder(fit(video(1920, 1080, 0), new RenditionLimits(400, null))))
                .containsExactly("712x400", "640x360");
    }

    @Test
    void theClientsMaxBitrateCapsEveryRung() {
        ObjectNode settings = fit(video(1920, 1080, 0), new RenditionLimits(null, 1_000_000));

        assertThat(outputs(settings).stream().map(output -> output.path("VideoDescription")
                        .path("CodecSettings")
                        .path("H264Settings")
                        .path("MaxBitrate")
                        .asInt()))
                .containsExactly(1_000_000, 1_000_000, 1_000_000, 800_000);
    }

    @Test
    void aSourceWithoutAudioGetsNoAudio() {
        ObjectNode settings = fit(new MediaInfo(1, "video/mp4", "mov", "h264", null, 1280, 720, 0, 25, 1000, 0), null);

        assertThat(settings.path("Inputs").get(0).has("AudioSelectors")).isFalse();
        assertThat(outputs(settings)).allSatisfy(output -> assertThat(output.has("AudioDescriptions"))
                .isFalse());
    }

    @Test
    void anAudioOnlySourceGetsOneAudioRenditionAndNoThumbnails() {
        ObjectNode settings = fit(new MediaInfo(1, "audio/mp4", "mov", null, "aac", 0, 0, 0, 0, 15000, 2), null);

        assertThat(outputs(settings)).singleElement().satisfies(output -> {
            assertThat(output.has("VideoDescription")).isFalse();
            assertThat(output.path("AudioDescriptions")).hasSize(1);
            assertThat(output.path("NameModifier").asText()).isEqualTo("_audio");
        });
        assertThat(settings.path("OutputGroups")).hasSize(1);
        assertThat(settings.path("Inputs").get(0).has("VideoSelector")).isFalse();
    }

    @Test
    void theTemplateItselfIsNotChanged() {
        String before = template.toString();
        fit(video(320, 240, 0), new RenditionLimits(200, 300_000));
        assertThat(template.toString()).isEqualTo(before);
    }

    private static MediaInfo video(int width, int height, int rotation) {
        return new MediaInfo(1, "video/mp4", "mov", "h264", "aac", width, height, rotation, 25, 10_000, 2);
    }

    private static ObjectNode fit(MediaInfo media, RenditionLimits wishes) {
        return LadderFitter.fit(template, WHERE, media, wishes);
    }

    private static JsonNode hls(ObjectNode settings) {
        return settings.path("OutputGroups").get(0);
    }

    private static List<JsonNode> outputs(ObjectNode settings) {
        return StreamSupport.stream(hls(settings).path("Outputs").spliterator(), false)
                .toList();
    }

    private static List<String> ladder(ObjectNode settings) {
        return outputs(settings).stream()
                .map(output -> size(output.path("VideoDescription")))
                .toList();
    }

    private static List<String> names(ObjectNode settings) {
        return outputs(settings).stream()
                .map(output -> output.path("NameModifier").asText())
                .toList();
    }

    private static String thumbnailSize(ObjectNode settings) {
        return size(settings.path("OutputGroups").get(1).path("Outputs").get(0).path("VideoDescription"));
    }

    private static String size(JsonNode video) {
        return video.path("Width").asInt() + "x" + video.path("Height").asInt();
    }
}
