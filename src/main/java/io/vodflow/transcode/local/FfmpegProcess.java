package io.vodflow.transcode.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One ffmpeg run: started with {@code -progress pipe:1}, it reads the progress ffmpeg reports, tells
 * the job's {@link JobHandle} whenever ffmpeg got further (the heartbeat stops a stalled one), and
 * keeps the last lines of its error output to say why it failed. A source whose pictures grow past
 * {@code -max_pixels} part way through stops the run at once: ffmpeg itself would skip those pictures
 * and end as if the video were shorter.
 */
final class FfmpegProcess {

    private static final int KEPT_ERROR_LINES = 20;
    private static final Pattern URL = Pattern.compile("https?://\\S+");
    /** What libavutil says when a decoder is refused a picture larger than {@code -max_pixels}. */
    private static final String PAST_PIXEL_CEILING = "exceeds specified max pixel count";

    /** How far ffmpeg is, reported at each of its progress blocks (about twice a second). */
    record Progress(long frames, long outTimeUs, boolean end) {}

    /**
     * How ffmpeg ended: its exit code, in words why it failed, and whether the source's pictures grew
     * past the pixel ceiling (then it was stopped).
     */
    record Exit(int code, String reason, boolean pastPixelCeiling) {}

    private final Deque<String> errors = new ArrayDeque<>();
    private volatile boolean pastPixelCeiling;
    private long frames;
    private long outTimeUs;

    private FfmpegProcess() {}

    /** Runs ffmpeg to its end on the calling thread. */
    static Exit run(ProcessBuilder command, JobHandle handle, String name, Consumer<Progress> onProgress)
            throws IOException, InterruptedException {
        return new FfmpegProcess().runToEnd(command, handle, name, onProgress);
    }

    private Exit runToEnd(ProcessBuilder command, JobHandle handle, String name, Consumer<Progress> onProgress)
            throws IOException, InterruptedException {
        Process process = command.start();
        handle.attach(process);
        process.getOutputStream().close();
        Thread errorReader = new Thread(() -> keepLastLines(process), "ffmpeg-stderr-" + name);
        errorReader.setDaemon(true);
        errorReader.start();
        try (BufferedReader progress =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = progress.readLine()) != null) {
                read(line, handle, onProgress);
            }
        } finally {
            // Whatever broke off the loop, ffmpeg must not go on encoding for nobody.
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        int code = process.waitFor();
        errorReader.join(5000);
        return new Exit(code, describeErrors(), pastPixelCeiling);
    }

    /** ffmpeg reports every half second even when stuck: only getting further counts as progress. */
    private void read(String line, JobHandle handle, Consumer<Progress> onProgress) {
        if (line.startsWith("frame=")) {
            long frame = parseLong(line.substring(6));
            if (frame > frames) {
                frames = frame;
                handle.progressed();
            }
        } else if (line.startsWith("out_time_us=")) {
            long time = parseLong(line.substring(12));
            if (time > outTimeUs) {
                outTimeUs = time;
                handle.progressed();
            }
        } else if (line.startsWith("progress=")) {
            onProgress.accept(new Progress(frames, outTimeUs, line.endsWith("end")));
        }
    }

    private void keepLastLines(Process process) {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!pastPixelCeiling && line.contains(PAST_PIXEL_CEILING)) {
                    pastPixelCeiling = true;
                    // Through its handle: Process.destroy would also close the output the progress
                    // reader is reading, which it would take for a failure to read the source.
                    process.toHandle().destroyForcibly();
                }
                synchronized (errors) {
                    errors.addLast(line);
                    if (errors.size() > KEPT_ERROR_LINES) {
                        errors.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            // The process ended.
        }
    }

    private String describeErrors() {
        synchronized (errors) {
            // The last lines say why ffmpeg stopped; drop the noise of per-frame decoder complaints.
            List<String> meaningful =
                    errors.stream().filter(line -> !line.startsWith("[")).toList();
            List<String> chosen = meaningful.isEmpty() ? List.copyOf(errors) : meaningful;
            String reason = chosen.isEmpty()
                    ? "it stopped without saying why"
                    : String.join("; ", chosen.subList(Math.max(0, chosen.size() - 3), chosen.size()));
            // Error messages reach users: never with the presigned URL ffmpeg names its input by.
            return URL.matcher(reason).replaceAll("the source");
        }
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
