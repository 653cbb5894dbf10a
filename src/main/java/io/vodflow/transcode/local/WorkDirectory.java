package io.vodflow.transcode.local;

import io.vodflow.support.Directories;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * A job's working directory, where ffmpeg writes before the outputs are uploaded, removed with
 * everything in it when the job is done.
 *
 * <p>Each worker process keeps its jobs' directories under one named after its process id. When a
 * worker starts, it cleans up after workers of this host that died: their ffmpeg processes outlive
 * them (nothing ties a child's life to the JVM's), still encoding into directories nobody will upload,
 * so they are stopped, and their directories removed. Live workers are left alone. A directory named
 * after the starting worker's own process id is a dead one's too: in a container the JVM is always
 * process 1, so a restarted container finds its predecessor's directory under its own id.
 */
final class WorkDirectory implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(WorkDirectory.class);
    private static final String WORKER_PREFIX = "vodflow-worker-";
    private static final Pattern WORKER = Pattern.compile(Pattern.quote(WORKER_PREFIX) + "(\\d+)");

    private final Path path;

    private WorkDirectory(Path path) {
        this.path = path;
    }

    /** A new, empty directory for one job, under this process's own directory in {@code workDir}. */
    static WorkDirectory create(Path workDir) {
        try {
            Path parent =
                    workDir.resolve(WORKER_PREFIX + ProcessHandle.current().pid());
            Files.createDirectories(parent);
            return new WorkDirectory(Files.createTempDirectory(parent, "vodflow-job-"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a working directory for a job", e);
        }
    }

    Path path() {
        return path;
    }

    Path resolve(String file) {
        return path.resolve(file);
    }

    /** The files in it now, sorted by name. */
    Stream<Path> files() {
        try (Stream<Path> files = Files.list(path)) {
            return files.sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        remove(path);
    }

    /**
     * Stops what dead workers of this host left running in {@code workDir}, and removes their
     * directories. Only before this process runs a job of its own.
     */
    static void cleanLeftovers(Path workDir) {
        if (!Files.isDirectory(workDir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(workDir)) {
            entries.filter(WorkDirectory::ofDeadWorker).forEach(WorkDirectory::cleanUp);
        } catch (IOException e) {
            LOG.warnf("Cannot look for leftovers in %s: %s", workDir, e.getMessage());
        }
    }

    private static boolean ofDeadWorker(Path directory) {
        Matcher matcher = WORKER.matcher(directory.getFileName().toString());
        if (!matcher.matches()) {
            return false;
        }
        long pid = Long.parseLong(matcher.group(1));
        if (pid == ProcessHandle.current().pid()) {
            return true;
        }
        Optional<ProcessHandle> worker = ProcessHandle.of(pid);
        // A recycled process id is not this worker: only a live JVM counts as alive.
        return worker.filter(ProcessHandle::isAlive)
                .filter(process -> process.info().command().orElse("").contains("java"))
                .isEmpty();
    }

    private static void cleanUp(Path directory) {
        // With the separator, so that vodflow-worker-1/ does not match vodflow-worker-12/.
        String marker = directory.toAbsolutePath() + File.separator;
        ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().orElse("").contains(marker))
                .forEach(orphan -> {
                    LOG.warnf("Stopping ffmpeg %d left running by a worker that died", orphan.pid());
                    orphan.destroyForcibly();
                    orphan.onExit().join();
                });
        LOG.infof("Removing %s, left by a worker that died", directory);
        remove(directory);
    }

    private static void remove(Path directory) {
        try {
            Directories.delete(directory);
        } catch (IOException e) {
            LOG.warnf("Could not remove the working directory %s: %s", directory, e.getMessage());
        }
    }
}
