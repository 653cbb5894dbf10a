package io.vodflow.transcode.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a worker finds of dead workers' jobs when it starts, and removes before it runs one. */
class WorkDirectoryTest {

    @Test
    void aDeadWorkersJobsAreRemoved(@TempDir Path workDir) throws IOException {
        // Above Linux's largest process id (2^22): no process has it.
        Path segment = leftover(workDir, 99_999_999L);

        WorkDirectory.cleanLeftovers(workDir);

        assertThat(segment.getParent().getParent()).doesNotExist();
    }

    @Test
    void aDirectoryUnderTheStartingWorkersOwnIdIsAPredecessorsAndIsRemoved(@TempDir Path workDir) throws IOException {
        // A restarted container: its JVM is process 1 again, as was the one that died.
        Path segment = leftover(workDir, ProcessHandle.current().pid());

        WorkDirectory.cleanLeftovers(workDir);

        assertThat(segment.getParent().getParent()).doesNotExist();
    }

    /** A segment a worker with this process id left in a job's directory. */
    private static Path leftover(Path workDir, long pid) throws IOException {
        Path job =
                Files.createDirectories(workDir.resolve("vodflow-worker-" + pid).resolve("vodflow-job-1"));
        return Files.writeString(job.resolve("segment_0.ts"), "frames");
    }
}
