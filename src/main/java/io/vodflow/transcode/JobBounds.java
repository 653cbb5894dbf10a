package io.vodflow.transcode;

/**
 * Counts beyond anything a vodflow job makes. Both sides of a job refuse what exceeds them: the local
 * engine a queued job, the status consumer a job event, so that neither a forged job nor a forged
 * event can make vodflow work or list without end.
 */
public final class JobBounds {

    /** More output groups than any job template of vodflow writes. */
    public static final int MAX_OUTPUT_GROUPS = 4;
    /** More outputs in a group than any ladder vodflow builds. */
    public static final int MAX_OUTPUTS = 32;
    /** More frame captures than vodflow lists for one video. */
    public static final int MAX_CAPTURES = 10_000;

    private JobBounds() {}
}
