package io.meridian.router.route;

import java.util.Locale;

/**
 * How far behind the leader a replica may be and still serve a read: in bytes of WAL not yet
 * replayed, in time, or both (a replica must then satisfy both). -1 means "no bound" on that axis.
 *
 * <p>Written as in PostgreSQL settings: {@code 16MB}, {@code 65536} (bytes), {@code 500ms},
 * {@code 5s}, {@code 1min}, or two of them joined by a comma: {@code 16MB,5s}. Units of bytes are
 * PostgreSQL's powers of 1024 (kB, MB, GB).
 */
public record LagBound(long maxBytes, long maxMillis) {

    public static final LagBound NONE = new LagBound(-1, -1);

    public boolean bounded() {
        return maxBytes >= 0 || maxMillis >= 0;
    }

    public boolean admits(long lagBytes, long lagMillis) {
        return (maxBytes < 0 || (lagBytes >= 0 && lagBytes <= maxBytes))
                && (maxMillis < 0 || (lagMillis >= 0 && lagMillis <= maxMillis));
    }

    /** @throws IllegalArgumentException naming what was expected */
    public static LagBound parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("expected a lag bound like 16MB, 5s or 16MB,5s, got nothing");
        }
        long bytes = -1;
        long millis = -1;
        for (String part : text.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            int unitAt = 0;
            while (unitAt < p.length() && (Character.isDigit(p.charAt(unitAt)) || p.charAt(unitAt) == '.')) {
                unitAt++;
            }
            if (unitAt == 0) {
                throw new IllegalArgumentException("expected a lag bound like 16MB, 5s or 16MB,5s, got \"" + text + "\"");
            }
            double n;
            try {
                n = Double.parseDouble(p.substring(0, unitAt));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a number in lag bound \"" + text + "\"", e);
            }
            String unit = p.substring(unitAt).trim();
            switch (unit) {
                case "", "b" -> bytes = set(bytes, n, text);
                case "kb" -> bytes = set(bytes, n * 1024, text);
                case "mb" -> bytes = set(bytes, n * 1024 * 1024, text);
                case "gb" -> bytes = set(bytes, n * 1024 * 1024 * 1024, text);
                case "ms" -> millis = set(millis, n, text);
                case "s" -> millis = set(millis, n * 1000, text);
                case "min" -> millis = set(millis, n * 60_000, text);
                default -> throw new IllegalArgumentException("unknown unit \"" + unit + "\" in lag bound \"" + text
                        + "\" (expected B, kB, MB, GB, ms, s or min)");
            }
        }
        return new LagBound(bytes, millis);
    }

    private static long set(long previous, double value, String text) {
        if (previous >= 0) {
            throw new IllegalArgumentException("lag bound \"" + text + "\" gives the same unit twice");
        }
        return Math.round(value);
    }

    @Override
    public String toString() {
        if (!bounded()) {
            return "none";
        }
        String b = maxBytes >= 0 ? maxBytes + "B" : "";
        String t = maxMillis >= 0 ? maxMillis + "ms" : "";
        return b.isEmpty() ? t : t.isEmpty() ? b : b + "," + t;
    }
}
