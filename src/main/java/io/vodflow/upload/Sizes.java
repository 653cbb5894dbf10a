package io.vodflow.upload;

import java.util.Locale;

/** Byte counts in the words people use: 1.5 GiB rather than 1610612736. */
final class Sizes {

    private static final String[] UNITS = {"bytes", "KiB", "MiB", "GiB", "TiB"};

    private Sizes() {}

    static String human(long bytes) {
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0
                ? bytes + " bytes"
                : String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]).replace(".0 ", " ");
    }
}
