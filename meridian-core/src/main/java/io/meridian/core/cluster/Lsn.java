package io.meridian.core.cluster;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A PostgreSQL write-ahead log position ({@code pg_lsn}), kept as an unsigned 64-bit offset.
 * Text form is PostgreSQL's: two hexadecimal halves, {@code 16/B374D848}; JSON uses the text form
 * too, so etcd values read the same as {@code pg_current_wal_lsn()} output.
 */
public record Lsn(long value) implements Comparable<Lsn> {

    public static final Lsn ZERO = new Lsn(0);

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Lsn parse(String text) {
        if (text == null || text.isBlank()) {
            return ZERO;
        }
        int slash = text.indexOf('/');
        if (slash < 1 || slash == text.length() - 1) {
            throw new IllegalArgumentException("not a pg_lsn: '" + text + "' (expected two hex halves like 0/3000060)");
        }
        long hi = Long.parseLong(text.substring(0, slash).trim(), 16);
        long lo = Long.parseLong(text.substring(slash + 1).trim(), 16);
        return new Lsn((hi << 32) | lo);
    }

    public static Lsn ofNullable(String text) {
        return text == null ? ZERO : parse(text);
    }

    /** Bytes from {@code other} up to this position; zero when {@code other} is ahead. */
    public long bytesAfter(Lsn other) {
        return Long.compareUnsigned(value, other.value) > 0 ? value - other.value : 0;
    }

    public boolean isAfter(Lsn other) {
        return Long.compareUnsigned(value, other.value) > 0;
    }

    public static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @JsonValue
    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }
}
