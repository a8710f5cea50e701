package io.meridian.lab.drill;

/**
 * Epoch nanoseconds that never jump: the wall clock read once, then advanced by
 * {@link System#nanoTime()}. Attempts are ordered by it, and it stays comparable with the epoch
 * milliseconds the agents write into {@code /history} on this machine.
 */
public final class ProbeClock {

    private static final long ANCHOR_EPOCH_NANOS = System.currentTimeMillis() * 1_000_000L;
    private static final long ANCHOR_NANO = System.nanoTime();

    private ProbeClock() {
    }

    public static long nowNanos() {
        return ANCHOR_EPOCH_NANOS + (System.nanoTime() - ANCHOR_NANO);
    }

    public static long millisToNanos(long epochMillis) {
        return epochMillis * 1_000_000L;
    }
}
