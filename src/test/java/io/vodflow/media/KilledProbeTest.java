package io.vodflow.media;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ffprobe stopped by the system (the kernel's OOM killer picks the tools first) says nothing about the
 * file: the probe is a passing fault, retried later, and the upload is not refused as unreadable.
 */
@QuarkusTest
@TestProfile(KilledProbeTest.KilledByTheSystem.class)
class KilledProbeTest {

    /** An ffprobe that tells its version, then is killed whatever it is asked to read. */
    public static class KilledByTheSystem implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path probe = Files.createTempFile(
                        "ffprobe-killed",
                        ".sh",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                Files.writeString(
                        probe,
                        """
                        #!/bin/sh
                        case "$*" in *-version*) echo "ffprobe version 8.1-killed"; exit 0;; esac
                        kill -KILL $$
                        """);
                probe.toFile().deleteOnExit();
                return Map.of("vodflow.ffmpeg.probe-path", probe.toString(), "vodflow.local.worker-enabled", "false");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Inject
    SourceProbe probe;

    @Test
    void aProbeTheSystemKilledIsAPassingFaultNotTheFiles() {
        assertThatThrownBy(() -> probe.probe("http://127.0.0.1:9/uploads/source", Duration.ofSeconds(30)))
                .isInstanceOf(SourceProbe.ProbeException.class)
                .hasMessageContaining("killed");
    }
}
