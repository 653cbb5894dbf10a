package io.vodflow.transcode.local;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The running side of one job: its ffmpeg process and how the job is to end. Other threads decide
 * that (an API call, the heartbeat, shutdown); the first decision wins, and a job that started
 * reporting COMPLETE can no longer be stopped.
 */
final class JobHandle {

    private enum State {
        RUNNING,
        /** Nobody wants the outputs anymore: remove them and report CANCELED. */
        CANCELED,
        /** Another run already ended this attempt; the outputs are its outputs too: leave them. */
        ABANDONED,
        /** This worker stops: another run takes the job up. */
        STOPPING,
        /**
         * The lease could not be renewed in time and lapses soon, or may have lapsed already, after
         * which another run may take the job: this run writes no more and leaves the outputs; the job
         * is taken up again.
         */
        LAPSING,
        FINISHED
    }

    private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
    private volatile Process process;
    private volatile long lastProgress = System.nanoTime();
    /** The process the heartbeat killed for making no progress: a later run of the job is not it. */
    private volatile Process stalled;
    /** Until when the run surely holds its job's lease ({@link System#nanoTime}); unbounded until told. */
    private volatile long leasedUntil = Long.MAX_VALUE;

    /**
     * Hands the job's next ffmpeg run to this handle. Its time without progress counts from now: the
     * first segments' run may have stalled before it, and that must not end the full run.
     */
    void attach(Process process) {
        lastProgress = System.nanoTime();
        this.process = process;
        if (state.get() != State.RUNNING) {
            process.destroyForcibly();
        }
    }

    /** Records that ffmpeg got further (more frames, or a later output time). */
    void progressed() {
        lastProgress = System.nanoTime();
    }

    boolean cancel() {
        return end(State.CANCELED);
    }

    boolean abandon() {
        return end(State.ABANDONED);
    }

    void stop() {
        end(State.STOPPING);
    }

    boolean lapse() {
        return end(State.LAPSING);
    }

    void leasedUntil(long nanoTime) {
        leasedUntil = nanoTime;
    }

    long leasedUntil() {
        return leasedUntil;
    }

    /**
     * Marks the job as completing; false if it was stopped first, or if its lease may have lapsed (a
     * heartbeat that came too late), since another run may hold the job by now: the run then lapses.
     */
    boolean finish() {
        if (System.nanoTime() >= leasedUntil) {
            lapse();
            return false;
        }
        return state.compareAndSet(State.RUNNING, State.FINISHED);
    }

    /** Kills ffmpeg if it got no further for {@code timeout}. */
    void checkStall(Duration timeout) {
        Process running = process;
        if (state.get() == State.RUNNING && running != null && System.nanoTime() - lastProgress > timeout.toNanos()) {
            stalled = running;
            running.destroyForcibly();
        }
    }

    boolean isCanceled() {
        return state.get() == State.CANCELED;
    }

    boolean isAbandoned() {
        return state.get() == State.ABANDONED;
    }

    boolean isStopping() {
        return state.get() == State.STOPPING;
    }

    boolean isLapsing() {
        return state.get() == State.LAPSING;
    }

    boolean isFinished() {
        return state.get() == State.FINISHED;
    }

    /** Whether the current run was killed for making no progress. */
    boolean isStalled() {
        Process running = process;
        return running != null && stalled == running;
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
