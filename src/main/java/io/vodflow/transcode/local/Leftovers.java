package io.vodflow.transcode.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Cleans up after a worker that died on this host. Its ffmpeg processes outlive it (nothing ties a
 * child process's life to the JVM's), still encoding into working directories nobody will upload;
 * they are stopped, and working directories that no live ffmpeg uses are removed. Live workers keep
 * theirs: an ffmpeg whose parent is alive is left alone.
 */
final class Leftovers {

    private static final Logger LOG = Logger.getLogger(Leftovers.class);
    static final String JOB_DIRECTORY_PREFIX = "vodflow-job-";

    private Leftovers() {}

    static void clean(Path workDir) {
        String marker = workDir.toAbsolutePath().resolve(JOB_DIRECTORY_PREFIX).toString();
        List<ProcessHandle> orphans = ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().orElse("").contains(marker))
                .filter(Leftovers::orphaned)
                .toList();
        for (ProcessHandle orphan : orphans) {
            LOG.warnf("Stopping ffmpeg %d left running by a worker that died", orphan.pid());
            orphan.destroyForcibly();
            orphan.onExit().join();
        }
        if (!Files.isDirectory(workDir)) {
            return;
        }
        List<String> inUse = ProcessHandle.allProcesses()
                .map(process -> process.info().commandLine().orElse(""))
                .filter(command -> command.contains(marker))
                .toList();
        try (Stream<Path> entries = Files.list(workDir)) {
            entries.filter(entry -> entry.getFileName().toString().startsWith(JOB_DIRECTORY_PREFIX))
                    .filter(entry -> inUse.stream().noneMatch(command -> command.contains(entry.toString())))
                    .forEach(Leftovers::delete);
        } catch (IOException e) {
            LOG.warnf("Cannot list %s: %s", workDir, e.getMessage());
        }
    }

    /** Whether the process's parent is gone (it was re-parented to init or a subreaper, not a JVM). */
    private static boolean orphaned(ProcessHandle process) {
        Optional<ProcessHandle> parent = process.parent();
        return parent.isEmpty()
                || parent.get().pid() == 1
                || !parent.get().info().command().orElse("").contains("java");
    }

    private static void delete(Path directory) {
        LOG.infof("Removing %s, left by a job whose worker died", directory);
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.warnf("Cannot remove %s: %s", directory, e.getMessage());
        }
    }
}
