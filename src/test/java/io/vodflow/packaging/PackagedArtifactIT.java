package io.vodflow.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Checks the production artifact that {@code ./mvnw package} builds, as an operator would run it. */
class PackagedArtifactIT {

    private static final Path APP = Path.of("target", "quarkus-app");

    @Test
    void productionLibrariesHoldNoEmulator() throws IOException {
        try (Stream<Path> jars = Files.list(APP.resolve("lib").resolve("main"))) {
            List<String> names = jars.map(jar -> jar.getFileName().toString()).toList();
            assertThat(names).isNotEmpty();
            assertThat(names).noneMatch(name -> name.matches("(?i).*(s3proxy|jclouds|elasticmq|pekko|jetty).*"));
        }
    }

    @Test
    void productionLibrariesHoldStsForWorkloadIdentity() throws IOException {
        try (Stream<Path> jars = Files.list(APP.resolve("lib").resolve("main"))) {
            assertThat(jars.map(jar -> jar.getFileName().toString()))
                    .anyMatch(name -> name.startsWith("software.amazon.awssdk.sts-"));
        }
    }

    @Test
    void startingWithoutAwsSettingsExitsNamingEveryMissingSetting() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder =
                new ProcessBuilder(java, "-jar", APP.resolve("quarkus-run.jar").toString()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("AWS_") || name.startsWith("VODFLOW_"));
        builder.environment().put("QUARKUS_HTTP_PORT", "0");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(output)
                .contains(
                        "vodflow.storage.input-bucket",
                        "vodflow.storage.output-bucket",
                        "vodflow.database.table",
                        "vodflow.queues.uploads",
                        "vodflow.queues.job-events");
    }
}
