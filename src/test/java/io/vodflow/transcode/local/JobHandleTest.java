package io.vodflow.transcode.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
}
