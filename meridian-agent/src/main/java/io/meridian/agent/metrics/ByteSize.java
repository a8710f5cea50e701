package io.meridian.agent.metrics;

import java.util.Locale;

/** Byte counts for people: binary units, as {@code pg_size_pretty} prints them. */
final class ByteSize {

    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB"};

    private ByteSize() {
    }

    static String format(double bytes) {
        if (Double.isNaN(bytes)) {
            return "?";
        }
        int unit = 0;
        double value = bytes;
        while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? String.format(Locale.ROOT, "%.0f B", value)
                : String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
