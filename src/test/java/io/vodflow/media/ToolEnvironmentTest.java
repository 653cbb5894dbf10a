package io.vodflow.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * ffmpeg and ffprobe read hostile files: whatever the service holds in its environment (credentials, the
 * key that signs links) must not be there for a crafted file to read back out of /proc/self/environ.
 */
class ToolEnvironmentTest {

    @Test
    void aToolSeesOnlyWhereProgramsAndTemporaryFilesAreAndItsOwnLibraries() throws Exception {
        assumeTrue(System.getenv().containsKey("HOME"), "the service's environment has more than the tools keep");
        FfmpegTools.Tool env = new FfmpegTools.Tool("env", Map.of("LD_LIBRARY_PATH", "/opt/ffmpeg"), null);

        String seen = env.execute(List.of(), Duration.ofSeconds(30)).output();

        Set<String> names =
                seen.lines().map(line -> line.substring(0, line.indexOf('='))).collect(Collectors.toSet());
        assertThat(names)
                .contains("PATH", "LD_LIBRARY_PATH")
                .doesNotContain("HOME")
                .isSubsetOf("PATH", "TMPDIR", "TMP", "TEMP", "LD_LIBRARY_PATH");
        assertThat(seen).contains("LD_LIBRARY_PATH=/opt/ffmpeg");
    }
}
