package io.vodflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vodflow.media.FfmpegTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs ffprobe on a file or URL, as a user checking the outputs would, and returns its JSON. */
public final class FfprobeJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FfprobeJson() {}

    /** {@code ffprobe -show_format -show_streams [extra] input}; asserts that ffprobe succeeded. */
    public static JsonNode probe(FfmpegTools tools, String input, String... extra) {
        List<String> arguments =
                new ArrayList<>(List.of("-v", "error", "-print_format", "json", "-show_format", "-show_streams"));
        arguments.addAll(List.of(extra));
        arguments.add(input);
        try {
            Process process = tools.ffprobe().processBuilder(arguments).start();
            CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            String output = read(process.getInputStream());
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue())
                    .as("ffprobe %s: %s", input, errors.join())
                    .isZero();
            return JSON.readTree(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
