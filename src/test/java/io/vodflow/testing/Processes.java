package io.vodflow.testing;

/** The processes on this machine, as tests that stop jobs see them. */
public final class Processes {

    private Processes() {}

    /** Whether a process works on the video: every ffmpeg of its jobs names it in its command line. */
    public static boolean ffmpegRunningFor(String videoId) {
        return countFor(videoId) > 0;
    }

    /** How many processes work on the video at once: ffmpeg and ffprobe name it in their command lines. */
    public static long countFor(String videoId) {
        return ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().orElse("").contains(videoId))
                .count();
    }
}
