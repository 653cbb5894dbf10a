package io.vodflow.transcode.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A run reports its job's end only while its lease surely holds: after a heartbeat that came too late
 * another run may hold the job, and the two would write the same keys.
 */
class JobHandleTest {

    @Test
    void aRunWhoseLeaseMayHaveLapsedDoesNotFinishButLapses() {
        JobHandle handle = new JobHandle();
        handle.leasedUntil(System.nanoTime() - 1);

        assertThat(handle.finish()).isFalse();
        assertThat(handle.isLapsing()).isTrue();
    }

    @Test
    void aRunWithinItsLeaseFinishes() {
        JobHandle handle = new JobHandle();
        handle.leasedUntil(System.nanoTime() + Duration.ofMinutes(1).toNanos());

        assertThat(handle.finish()).isTrue();
        assertThat(handle.isFinished()).isTrue();
    }

    @Test
    void aFirstRunThatStalledDoesNotEndTheFullRunAfterIt() throws Exception {
        JobHandle handle = new JobHandle();
        Process first = sleeping();
        handle.attach(first);
        handle.checkStall(Duration.ZERO);
        assertThat(first.waitFor(10, TimeUnit.SECONDS))
                .as("the stalled run is killed")
                .isTrue();
        assertThat(handle.isStalled()).isTrue();

        Process full = sleeping();
        try {
            handle.attach(full);
            handle.checkStall(Duration.ofMinutes(1));

            assertThat(full.isAlive()).isTrue();
            assertThat(handle.isStalled()).isFalse();
        } finally {
            full.destroyForcibly();
        }
    }

    private static Process sleeping() throws IOException {
        return new ProcessBuilder("sleep", "60").start();
    }
}
