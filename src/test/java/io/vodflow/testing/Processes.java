package io.vodflow.testing;

/** The processes on this machine, as tests that stop jobs see them. */
public final class Processes {

    private Processes() {}

    /** Whether a process works on the video: every ffmpeg of its jobs names it in its command line. */
    public static boolean ffmpegRunningFor(String videoId) {
        return ProcessHandle.allProcesses()
                .anyMatch(process -> process.info().commandLine().orElse("").contains(videoId));
    }
}
