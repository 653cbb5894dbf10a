package io.vodflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vodflow.media.FfmpegTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Test sources generated with ffmpeg's lavfi inputs (testsrc2, sine), so tests need no media files. */
public final class TestMedia {

    /** This test JVM's media, removed when it exits: a run leaves nothing behind in the temporary directory. */
    private static Path directory;

    private TestMedia() {}

    /**
     * Runs {@code ffmpeg -y <arguments> <output>} and returns the output file, in a directory of its
     * own.
     */
    public static Path generate(FfmpegTools tools, String fileName, String... arguments) {
        try {
            Path output = newDirectory().resolve(fileName);
            List<String> command = new ArrayList<>(List.of("-hide_banner", "-loglevel", "error", "-y"));
            command.addAll(List.of(arguments));
            command.add(output.toString());
            Process process = tools.ffmpeg()
                    .processBuilder(command)
                    .redirectErrorStream(true)
                    .start();
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(log).isZero();
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A file named {@code fileName} holding {@code text}: a text file posing as whatever its name says. */
    public static Path text(String fileName, String text) {
        try {
            return Files.writeString(newDirectory().resolve(fileName), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized Path newDirectory() throws IOException {
        if (directory == null) {
            directory = Files.createTempDirectory("vodflow-media-");
            Path created = directory;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(created)));
        }
        return Files.createTempDirectory(directory, "file-");
    }

    private static void delete(Path tree) {
        try (Stream<Path> paths = Files.walk(tree)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // the JVM is exiting: what is left stays in the temporary directory
        }
    }

    /**
     * A picture at a constant 16 Mbit/s, filler included: 2 MB a second, so that a few seconds make a
     * file uploaded in parts.
     */
    public static Path constant16Mbits(FfmpegTools tools, String fileName, String size, int seconds) {
        return generate(
                tools,
                fileName,
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=" + size + ":rate=25:duration=" + seconds,
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
                "-b:v",
                "16M",
                "-minrate",
                "16M",
                "-maxrate",
                "16M",
                "-bufsize",
                "2M",
                "-x264-params",
                "nal-hrd=cbr");
    }

    /** 30 s of 720p with sound at 1 Mbit/s: long enough to watch a job midway, small enough for one PUT. */
    public static Path halfMinute720p(FfmpegTools tools) {
        return withSound(
                tools,
                "720p-30s.mp4",
                "1280x720",
                25,
                30,
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-b:v",
                "1M",
                "-c:a",
                "aac");
    }

    /**
     * A long 720p picture without sound at a low bitrate (one PUT carries it), for jobs that must still
     * run while a test acts on them.
     */
    public static Path long720p(FfmpegTools tools, int seconds) {
        return generate(
                tools,
                "long-720p-" + seconds + "s.mp4",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=1280x720:rate=25:duration=" + seconds,
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-b:v",
                "1M");
    }

    /** 1080p at 30 frames a second with sound, encoded as a camera or an editor would hand it over. */
    public static Path camera1080p(FfmpegTools tools, int seconds) {
        return withSound(
                tools,
                "1080p-" + seconds + "s.mp4",
                "1920x1080",
                30,
                seconds,
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-crf",
                "20",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-b:a",
                "192k");
    }

    /**
     * The test pattern of {@code size} at {@code rate} frames a second with a sine tone, {@code seconds}
     * long, encoded with {@code encoding} (the codec options).
     */
    private static Path withSound(
            FfmpegTools tools, String fileName, String size, int rate, int seconds, String... encoding) {
        List<String> arguments = new ArrayList<>(List.of(
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=" + size + ":rate=" + rate + ":duration=" + seconds,
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:sample_rate=48000:duration=" + seconds));
        arguments.addAll(List.of(encoding));
        return generate(tools, fileName, arguments.toArray(String[]::new));
    }

    /** H.264 video of the test pattern, with a sine tone unless {@code audio} is false. */
    public static Path testPattern(FfmpegTools tools, int width, int height, double seconds, boolean audio) {
        List<String> arguments = new ArrayList<>(
                List.of("-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=25:duration=" + seconds));
        if (audio) {
            arguments.addAll(List.of("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + seconds));
        }
        arguments.addAll(List.of("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"));
        if (audio) {
            arguments.addAll(List.of("-c:a", "aac", "-shortest"));
        }
        return generate(
                tools,
                "pattern-" + width + "x" + height + (audio ? "" : "-silent") + ".mp4",
                arguments.toArray(String[]::new));
    }

    /** Three 32x32 frames of 75 hours each: a few kilobytes, and 225 hours long. */
    public static Path tinyButLong(FfmpegTools tools) {
        return generate(
                tools,
                "tiny-but-long.mp4",
                "-f",
                "lavfi",
                "-i",
                "color=size=32x32:rate=1/270000",
                "-frames:v",
                "3",
                "-c:v",
                "libx264",
                "-video_track_timescale",
                "1");
    }

    /**
     * A broadcast recording as a receiver cuts it: MPEG-TS, 640x360 with sound, one keyframe every
     * 4 s, starting a third of the way in, mid-GOP, so that its first packets hold no whole picture.
     */
    public static Path transportStreamCutMidGop(FfmpegTools tools) {
        Path whole = generate(
                tools,
                "broadcast.ts",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=640x360:rate=25:duration=12",
                "-f",
                "lavfi",
                "-i",
                "sine=duration=12",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-g",
                "100",
                "-keyint_min",
                "100",
                "-sc_threshold",
                "0",
                "-c:a",
                "aac",
                "-f",
                "mpegts");
        try {
            byte[] bytes = Files.readAllBytes(whole);
            int packet = 188;
            int from = bytes.length / 3 / packet * packet;
            Path cut = newDirectory().resolve("broadcast-cut.ts");
            Files.write(cut, Arrays.copyOfRange(bytes, from, bytes.length));
            return cut;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
