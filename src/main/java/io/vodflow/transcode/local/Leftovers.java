package io.vodflow.transcode.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Each worker process keeps its jobs' working directories under a directory named after its process
 * id. When a worker starts, it cleans up after workers of this host that died: their ffmpeg
 * processes outlive them (nothing ties a child's life to the JVM's), still encoding into directories
 * nobody will upload, so they are stopped, and their directories removed. Live workers are left alone.
 */
final class Leftovers {

    private static final Logger LOG = Logger.getLogger(Leftovers.class);
    private static final String WORKER_PREFIX = "vodflow-worker-";
    private static final Pattern WORKER = Pattern.compile(Pattern.quote(WORKER_PREFIX) + "(\\d+)");

    private Leftovers() {}

    /** This process's directory under {@code workDir}. */
    static Path ownDirectory(Path workDir) {
        return workDir.resolve(WORKER_PREFIX + ProcessHandle.current().pid());
    }

    static void clean(Path workDir) {
        if (!Files.isDirectory(workDir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(workDir)) {
            entries.filter(Leftovers::ofDeadWorker).forEach(Leftovers::cleanUp);
        } catch (IOException e) {
            LOG.warnf("Cannot look for leftovers in %s: %s", workDir, e.getMessage());
        }
    }

    private static boolean ofDeadWorker(Path directory) {
        Matcher matcher = WORKER.matcher(directory.getFileName().toString());
        if (!matcher.matches()) {
            return false;
        }
        Optional<ProcessHandle> worker = ProcessHandle.of(Long.parseLong(matcher.group(1)));
        // A recycled process id is not this worker: only a live JVM counts as alive.
        return worker.filter(ProcessHandle::isAlive)
                .filter(process -> process.info().command().orElse("").contains("java"))
                .isEmpty();
    }

    private static void cleanUp(Path directory) {
        String marker = directory.toAbsolutePath().toString();
        ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().orElse("").contains(marker))
                .forEach(orphan -> {
                    LOG.warnf("Stopping ffmpeg %d left running by a worker that died", orphan.pid());
                    orphan.destroyForcibly();
                    orphan.onExit().join();
                });
        LOG.infof("Removing %s, left by a worker that died", directory);
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.warnf("Cannot remove %s: %s", directory, e.getMessage());
        }
    }
}
