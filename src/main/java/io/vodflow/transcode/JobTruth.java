package io.vodflow.transcode;

/**
 * How an engine says a job stands, when vodflow has heard nothing of it for long.
 *
 * @param finalEvent for an ended job, its last "MediaConvert Job State Change" event (COMPLETE, ERROR
 *     or CANCELED) as the engine reports it, in the EventBridge envelope; null otherwise
 */
public record JobTruth(State state, String finalEvent) {

    public enum State {
        /** The job is queued or running: wait. */
        RUNNING,
        /** The job ended: its final event says how. */
        ENDED,
        /** The engine has no trace of the job: it was lost and may be submitted again. */
        LOST
    }

    public static JobTruth running() {
        return new JobTruth(State.RUNNING, null);
    }

    public static JobTruth ended(String finalEvent) {
        return new JobTruth(State.ENDED, finalEvent);
    }

    public static JobTruth lost() {
        return new JobTruth(State.LOST, null);
    }
}
