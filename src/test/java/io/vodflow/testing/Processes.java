package io.vodflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** The processes on this machine, as tests that stop jobs see them. */
public final class Processes {

    private Processes() {}

    /** Whether a process works on the video: every ffmpeg of its jobs names it in its command line. */
    public static boolean ffmpegRunningFor(String videoId) {
        return countFor(videoId) > 0;
    }

    /** How many processes work on the video at once: ffmpeg and ffprobe name it in their command lines. */
    public static long countFor(String videoId) {
        return of(videoId).size();
    }

    /** The processes that work on the video. */
    public static List<ProcessHandle> of(String videoId) {
        return ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().orElse("").contains(videoId))
                .toList();
    }

    /** Sends {@code signal} (STOP, CONT) to the process, as {@code kill -<signal>} does. */
    public static void signal(ProcessHandle process, String signal) {
        try {
            int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .inheritIO()
                    .start()
                    .waitFor();
            assertThat(exit).as("kill -%s", signal).isZero();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
