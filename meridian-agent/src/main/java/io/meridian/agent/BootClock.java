package io.meridian.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CLOCK_BOOTTIME as {@code /proc/uptime} prints it (seconds, two decimals): the clock the fence
 * keeper reads without forking. Unlike {@link System#nanoTime()} (CLOCK_MONOTONIC) it keeps
 * counting while the machine is suspended, as etcd's clock does: a leader resumed from a suspend
 * finds its deadline already past instead of acting on a lease that ran out meanwhile.
 */
final class BootClock {

    private static final Path UPTIME = Path.of("/proc/uptime");

    private BootClock() {
    }

    /**
     * The uptime, in centiseconds, at the {@link System#nanoTime()} instant {@code nanos}, never
     * later than the true one: /proc/uptime is truncated and read before the monotonic clock, and
     * the difference is rounded down, so a deadline mapped here can only come early.
     */
    static long centisAt(long nanos) {
        long up = readCentis();
        long now = System.nanoTime();
        return up + Math.floorDiv(nanos - now, 10_000_000L);
    }

    /** Centiseconds as /proc/uptime prints them: {@code 12345.67}. */
    static String format(long centis) {
        return centis / 100 + "." + String.format("%02d", centis % 100);
    }

    private static long readCentis() {
        String text;
        try {
            text = Files.readString(UPTIME);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + UPTIME + " (the fence keeper's clock)", e);
        }
        String first = text.substring(0, text.indexOf(' ')).trim();
        int dot = first.indexOf('.');
        return Long.parseLong(first.substring(0, dot)) * 100 + Long.parseLong((first.substring(dot + 1) + "00").substring(0, 2));
    }
}
