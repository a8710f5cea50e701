package io.meridian.core.plan;

/**
 * What one inter-region link must carry to keep up with the WAL: the average rate as megabits per
 * second, and that times a safety margin for peaks, catch-up after a cut and TCP over a long fat pipe.
 *
 * <p>Units follow the seed chapter's sizing, so its figures come out unchanged: a gigabyte is 1024
 * megabytes and a megabit an eighth of a megabyte, i.e. Mbps = bytes/s × 8 / 1024². Its example,
 * 60 GB/day = 2.5 GB/hour → (2.5 × 8 × 1024) / 3600 = 5.69 ≈ 5.7 Mbps, × 3 = 17 Mbps.
 *
 * @param walBytesPerSecond average WAL rate on the primary
 * @param margin            factor for the recommended bandwidth (the seed uses 3)
 */
public record Bandwidth(double walBytesPerSecond, double margin) {

    public static final double DEFAULT_MARGIN = 3;
    private static final double MIB = 1024.0 * 1024.0;
    private static final double GIB = 1024.0 * MIB;

    public Bandwidth {
        if (!(walBytesPerSecond >= 0) || Double.isInfinite(walBytesPerSecond)) {
            throw new IllegalArgumentException("WAL rate: expected a finite rate >= 0 bytes/s, got " + walBytesPerSecond);
        }
        if (!(margin >= 1) || Double.isInfinite(margin)) {
            throw new IllegalArgumentException("margin: expected a factor >= 1, got " + margin);
        }
    }

    /** The rate of a daily WAL volume, as the seed states it (60 GB/day). */
    public static double bytesPerSecondOfGbPerDay(double gbPerDay) {
        return gbPerDay * GIB / 86_400;
    }

    public static double mbps(double bytesPerSecond) {
        return bytesPerSecond * 8 / MIB;
    }

    /** Gigabytes (1024³ bytes) a constant rate moves in a 30-day month. */
    public static double gbPerMonth(double bytesPerSecond) {
        return bytesPerSecond * 30 * 86_400 / GIB;
    }

    public double minimumMbps() {
        return mbps(walBytesPerSecond);
    }

    public double recommendedMbps() {
        return minimumMbps() * margin;
    }
}
