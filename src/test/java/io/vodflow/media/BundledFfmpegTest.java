package io.vodflow.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.vodflow.testing.FfprobeJson;
import io.vodflow.testing.TestMedia;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;

/**
 * The ffmpeg and ffprobe that come with vodflow run on a server that has only the C and C++ runtime:
 * every other library they load is one the jar ships or one of vodflow's device library stand-ins.
 */
@QuarkusTest
class BundledFfmpegTest {

    /** What every glibc system has: glibc itself, the loader, and the GCC C and C++ runtime. */
    private static final Set<String> C_RUNTIME = Set.of(
            "linux-vdso.so.1",
            "libc.so.6",
            "libm.so.6",
            "libmvec.so.1",
            "libdl.so.2",
            "libpthread.so.0",
            "librt.so.1",
            "libgcc_s.so.1",
            "libstdc++.so.6");

    @Inject
    FfmpegTools tools;

    @Test
    void theBundledToolsFindEveryLibraryTheyNeedInTheirOwnDirectory() throws Exception {
        assumeTrue(Loader.getPlatform().startsWith("linux"), "ldd and the stand-ins are Linux's");
        for (FfmpegTools.Tool tool : List.of(tools.ffmpeg(), tools.ffprobe())) {
            Path directory = Path.of(tool.executable()).getParent();
            String libraries = new FfmpegTools.Tool("ldd", tool.environment(), null)
                    .execute(List.of(tool.executable()), Duration.ofSeconds(30))
                    .output();

            assertThat(libraries).as(libraries).doesNotContain("not found").contains("libpulse.so.0");
            for (String line : libraries.strip().lines().toList()) {
                String name = line.strip().split(" ")[0];
                boolean runtime = C_RUNTIME.contains(name) || name.contains("/ld-linux");
                if (!runtime) {
                    assertThat(line).as(name + " comes from the bundle").contains(directory + "/" + name);
                }
            }
        }
    }

    @Test
    void theBundledFfmpegEncodesAndProbesWithoutAWordFromTheLoader() throws Exception {
        FfmpegTools.Execution version =
                tools.ffmpeg().execute(List.of("-hide_banner", "-version"), Duration.ofSeconds(30));
        assertThat(version.exitCode()).isZero();
        assertThat(version.errors()).isEmpty();
        assertThat(tools.ffmpeg().version()).matches("[6-9]\\..*|[1-9][0-9]\\..*");

        Path clip = TestMedia.testPattern(tools, 320, 240, 1, true);

        JsonNode probed = FfprobeJson.probe(tools, clip.toString());
        assertThat(probed.path("streams").findValuesAsText("codec_name")).containsExactly("h264", "aac");
        assertThat(probed.path("streams").get(0).path("width").asInt()).isEqualTo(320);
    }
}
