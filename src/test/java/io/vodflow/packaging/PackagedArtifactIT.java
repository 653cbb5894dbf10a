package io.vodflow.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        String output = startFailing(Map.of());
        assertThat(output)
                .contains(
                        "vodflow.storage.input-bucket",
                        "vodflow.storage.output-bucket",
                        "vodflow.database.table",
                        "vodflow.queues.uploads",
                        "vodflow.queues.job-events");
    }

    /** The names of the AWS resources and the region, as an operator sets them. */
    private static final Map<String, String> AWS = Map.of(
            "VODFLOW_STORAGE_INPUT_BUCKET", "in",
            "VODFLOW_STORAGE_OUTPUT_BUCKET", "out",
            "VODFLOW_DATABASE_TABLE", "videos",
            "VODFLOW_QUEUES_UPLOADS", "uploads",
            "VODFLOW_QUEUES_JOB_EVENTS", "events",
            "VODFLOW_QUEUES_TRANSCODE_JOBS", "jobs",
            "AWS_REGION", "eu-west-1");

    @Test
    void startingWithoutASignInProviderSigningKeyOrClientIdExitsNamingThem() throws Exception {
        assertThat(startFailing(AWS)).contains("quarkus.oidc.auth-server-url");

        Map<String, String> withProvider = new HashMap<>(AWS);
        withProvider.put("QUARKUS_OIDC_AUTH_SERVER_URL", "http://127.0.0.1:9/no-provider-here");
        // A CDN without signed cookies: the start warns that it serves outputs to anyone with their address.
        withProvider.put("VODFLOW_PLAYBACK_BASE_URL", "https://cdn.example.com");
        // Longer than any presigned URL may last.
        withProvider.put("VODFLOW_UPLOAD_PART_URL_LIFETIME", "8d");
        assertThat(startFailing(withProvider))
                .contains(
                        "VODFLOW_AUTH_SIGNING_KEY",
                        "VODFLOW_AUTH_ENABLED=false",
                        "QUARKUS_OIDC_CLIENT_ID",
                        "vodflow.playback.base-url is set without CloudFront signed cookies",
                        "vodflow.upload.part-url-lifetime is 691200 s; presigned storage URLs last from one second to"
                                + " seven days.");
    }

    @Test
    void aWorkerWithoutAUsableFfmpegStopsStartingNamingWhatItTried() throws Exception {
        // Everything else is set; the services are not there, which start-up survives until it checks ffmpeg.
        Map<String, String> env = new HashMap<>(AWS);
        env.putAll(Map.of(
                "VODFLOW_AWS_SQS_ENDPOINT", "http://127.0.0.1:9",
                "QUARKUS_OIDC_AUTH_SERVER_URL", "http://127.0.0.1:9/no-provider-here",
                "QUARKUS_OIDC_CLIENT_ID", "vodflow",
                "VODFLOW_AUTH_SIGNING_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
        env.putAll(Map.of(
                "AWS_ACCESS_KEY_ID", "none",
                "AWS_SECRET_ACCESS_KEY", "none",
                "QUARKUS_S3_ENDPOINT_OVERRIDE", "http://127.0.0.1:9",
                "QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", "http://127.0.0.1:9",
                "VODFLOW_FFMPEG_PATH", "/nonexistent/ffmpeg"));
        assertThat(startFailing(env)).contains("No usable ffmpeg found", "/nonexistent/ffmpeg", "vodflow.ffmpeg.path");

        // One that never answers (a stuck mount, a wrapper waiting for input) is given up, not waited for.
        Path hanging = Files.createTempDirectory("hanging-ffmpeg").resolve("ffmpeg");
        Files.writeString(hanging, "#!/bin/sh\nexec sleep 600\n");
        assertThat(hanging.toFile().setExecutable(true)).isTrue();
        env.put("VODFLOW_FFMPEG_PATH", hanging.toString());
        assertThat(startFailing(env))
                .contains("No usable ffmpeg found", hanging + ": did not answer -hide_banner -version within 30 s");
    }

    /** Starts the production application with only {@code env} of vodflow's and AWS's settings; it must exit. */
    private static String startFailing(Map<String, String> env) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder =
                new ProcessBuilder(java, "-jar", APP.resolve("quarkus-run.jar").toString()).redirectErrorStream(true);
        builder.environment()
                .keySet()
                .removeIf(
                        name -> name.startsWith("AWS_") || name.startsWith("VODFLOW_") || name.startsWith("QUARKUS_"));
        builder.environment().put("QUARKUS_HTTP_PORT", "0");
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isNotZero();
        return output;
    }
}
