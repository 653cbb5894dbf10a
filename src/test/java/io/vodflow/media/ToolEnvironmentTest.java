package io.vodflow.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * ffmpeg and ffprobe read hostile files. Whatever secret the service holds in its environment
 * (credentials, the key that signs links) must not be there for a crafted file to read back out of
 * /proc/self/environ, while what the tools need to run (the images' library path, a proxy) stays; and
 * a file that makes them allocate without end must cost them their run, not the service its life.
 */
class ToolEnvironmentTest {

    @Test
    void aToolSeesOnlyWhereProgramsAndTemporaryFilesAreAndItsOwnLibraries() throws Exception {
        assumeTrue(System.getenv().containsKey("HOME"), "the service's environment has more than the tools keep");
        FfmpegTools.Tool env = new FfmpegTools.Tool("env", Map.of("LD_LIBRARY_PATH", "/opt/ffmpeg"), null);

        String seen = env.execute(List.of(), Duration.ofSeconds(30)).output();

        Set<String> names =
                seen.lines().map(line -> line.substring(0, line.indexOf('='))).collect(Collectors.toSet());
        assertThat(names).contains("PATH", "LD_LIBRARY_PATH").doesNotContain("HOME");
        assertThat(seen).contains("LD_LIBRARY_PATH=/opt/ffmpeg");
    }

    @Test
    void aToolIsWhatTheKernelStopsFirstWhenMemoryRunsOutAndKeepsItsMemoryLimit() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/oom_score_adj")), "Linux");
        FfmpegTools.Tool shell = new FfmpegTools.Tool("sh", Map.of(), null).withMemoryLimit(256L * 1024 * 1024);

        String seen = shell.execute(List.of("-c", "ulimit -v; cat /proc/self/oom_score_adj"), Duration.ofSeconds(30))
                .output();

        assertThat(seen.lines()).containsExactly("262144", "1000");
    }

    @Test
    void secretsGoAndWhatTheImagesAndProxiesSetStays() {
        Map<String, String> service = new HashMap<>(Map.of(
                "PATH", "/usr/bin",
                "LD_LIBRARY_PATH", "/opt/ffmpeg",
                "HTTPS_PROXY", "http://proxy:3128",
                "NO_PROXY", "169.254.170.23",
                "VODFLOW_AUTH_SIGNING_KEY", "c2VjcmV0",
                "AWS_SECRET_ACCESS_KEY", "secret",
                "AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
                "QUARKUS_OIDC_CREDENTIALS_SECRET", "secret",
                "LD_BIND_NOW", "1"));

        FfmpegTools.Tool.keepOnlyWhatToolsNeed(service);

        assertThat(service).containsOnlyKeys("PATH", "LD_LIBRARY_PATH", "HTTPS_PROXY", "NO_PROXY");
    }
}
