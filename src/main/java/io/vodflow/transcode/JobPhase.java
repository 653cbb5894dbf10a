package io.vodflow.transcode;

import java.util.Arrays;

/**
 * The phases a running job reports in its STATUS_UPDATE events, in the order they come (MediaConvert's
 * vocabulary, which the local engine speaks too).
 */
public enum JobPhase {
    PROBING,
    TRANSCODING,
    UPLOADING;

    /** The later of a recorded phase and a reported one; unknown names never replace a known phase. */
    public static String later(String recorded, String reported) {
        JobPhase next = parse(reported);
        if (next == null) {
            return recorded;
        }
        JobPhase current = parse(recorded);
        return current == null || next.compareTo(current) > 0 ? next.name() : recorded;
    }

    private static JobPhase parse(String name) {
        return Arrays.stream(values())
                .filter(phase -> phase.name().equals(name))
                .findFirst()
                .orElse(null);
    }
}
