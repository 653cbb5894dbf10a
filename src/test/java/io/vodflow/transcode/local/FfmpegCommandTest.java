package io.vodflow.transcode.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vodflow.media.MediaInfo;
import io.vodflow.transcode.LadderFitter;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class FfmpegCommandTest {

    private static final FfmpegCommand.Source SOURCE =
            new FfmpegCommand.Source("http://s3/source", false, true, true, false, 25, 35_389_440, 120);

    @Test
    void oneProcessDecodesOnceAndWritesEveryRenditionAndTheThumbnails() throws Exception {
        List<String> args = FfmpegCommand.build(plan(), SOURCE, Path.of("/work"), "veryfast");

        assertThat(args.stream().filter("-i"::equals)).hasSize(1);
        assertThat(args)
                .containsSubsequence("-filter_complex", "-map", "[thumbs]", "-fps_mode", "vfr", "/work/thumb.%07d.jpg");
        assertThat(args.get(args.indexOf("-filter_complex") + 1))
                .startsWith("[0:V:0]bwdif=mode=send_frame:deint=interlaced,format=yuv420p,split=4")
                .contains("[s0]scale=1280:720,setsar=1[v0]", "[s3]select=");
        assertThat(args).containsSubsequence("-master_pl_name", "master.m3u8");
        assertThat(args)
                .containsSubsequence("-var_stream_map", "v:0,a:0,name:_720p v:1,a:1,name:_480p v:2,a:2,name:_360p");
    }

    @Test
    void theFirstSegmentsRunReadsJustPastTheFirstCutWithTheNextFasterPresetAndMakesNoThumbnails() throws Exception {
        List<String> args = FfmpegCommand.firstSegments(plan(), SOURCE, Path.of("/work/first"), "superfast");

        assertThat(args)
                .as("two frames past the first cut")
                .containsSubsequence("-t", "1.080", "-i", "http://s3/source");
        assertThat(FfmpegCommand.firstSegmentsRead(0)).as("a rate unknown").isEqualTo("1.250");
        assertThat(args).doesNotContain("[thumbs]").contains("/work/first/master%v.m3u8");
        assertThat(args)
                .containsSubsequence("-var_stream_map", "v:0,a:0,name:_720p v:1,a:1,name:_480p v:2,a:2,name:_360p");
        assertThat(FfmpegCommand.firstSegmentsPreset("veryfast")).isEqualTo("superfast");
        assertThat(FfmpegCommand.firstSegmentsPreset("medium")).isEqualTo("fast");
        assertThat(FfmpegCommand.firstSegmentsPreset("superfast"))
                .as("ultrafast makes no B-frames: other timestamps")
                .isEqualTo("superfast");
        assertThat(FfmpegCommand.firstSegmentsPreset("ultrafast")).isEqualTo("ultrafast");
    }

    @Test
    void aLinkThatLeadsToHttpsStorageHasStoragesCertificateVerifiedAndOneToPlainHttpStorageDoesNot() throws Exception {
        FfmpegCommand.Source behindTls =
                new FfmpegCommand.Source("http://127.0.0.1:4000/link", true, true, true, false, 25, 35_389_440, 120);

        assertThat(FfmpegCommand.build(plan(), behindTls, Path.of("/work"), "veryfast"))
                .containsSubsequence("-tls_verify", "1", "-i", "http://127.0.0.1:4000/link");
        // ffmpeg refuses an option nothing used: a plain HTTP store (dev mode's) gets none.
        assertThat(FfmpegCommand.build(plan(), SOURCE, Path.of("/work"), "veryfast"))
                .doesNotContain("-tls_verify");
    }

    private JobPlan plan() throws Exception {
        ObjectNode template;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("transcode/job-template.json")) {
            template = (ObjectNode) new ObjectMapper().readTree(in);
        }
        ObjectNode settings = LadderFitter.fit(
                template,
                new LadderFitter.Destinations(
                        "s3://in/uploads/v/source",
                        "s3://out/videos/v/hls/master",
                        "s3://out/videos/v/thumbnails/thumb"),
                new MediaInfo(1, "video/mp4", "mov", "h264", "aac", 1280, 720, 0, 30, 8000, 2),
                null);
        return JobPlan.of(settings);
    }
}
