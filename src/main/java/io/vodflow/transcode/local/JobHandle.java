package io.vodflow.transcode.local;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The running side of one job: its ffmpeg process and how the job is to end. Cancel and stop are
 * asked from other threads (an API call, the heartbeat, shutdown); the first decision wins, and a
 * job that started reporting COMPLETE can no longer be canceled.
 */
final class JobHandle {

    private enum State {
        RUNNING,
        CANCELED,
        STOPPING,
        FINISHED
    }

    private final String jobId;
    private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
    private volatile Process process;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean stalled;

    JobHandle(String jobId) {
        this.jobId = jobId;
    }

    String jobId() {
        return jobId;
    }

    void attach(Process process) {
        this.process = process;
        if (state.get() != State.RUNNING) {
            process.destroyForcibly();
        }
    }

    void progressed() {
        lastProgress = System.nanoTime();
    }

    /** Stops the job for good: partial outputs are removed and CANCELED reported. */
    boolean cancel() {
        return end(State.CANCELED);
    }

    /** Stops the job because this worker stops: another run takes it up. */
    void stop() {
        end(State.STOPPING);
    }

    /** Marks the job as completing; false if it was canceled or stopped first. */
    boolean finish() {
        return state.compareAndSet(State.RUNNING, State.FINISHED);
    }

    /** Kills ffmpeg if it reported nothing for {@code timeout}. */
    void checkStall(Duration timeout) {
        Process running = process;
        if (state.get() == State.RUNNING && running != null && System.nanoTime() - lastProgress > timeout.toNanos()) {
            stalled = true;
            running.destroyForcibly();
        }
    }

    boolean isCanceled() {
        return state.get() == State.CANCELED;
    }

    boolean isStopping() {
        return state.get() == State.STOPPING;
    }

    boolean isStalled() {
        return stalled;
    }

    private boolean end(State reason) {
        boolean ended = state.compareAndSet(State.RUNNING, reason);
        Process running = process;
        if (ended && running != null) {
            running.destroyForcibly();
        }
        return ended;
    }
}
