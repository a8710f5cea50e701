package io.meridian.agent.metrics;

import java.time.Duration;

/**
 * Alert thresholds. The defaults are the geo-replication guide's numbers and the ones written in
 * {@code deploy/prometheus/meridian-rules.yml}; {@code AlertRulesAgreementTest} keeps the two equal.
 * Sizes are binary (MiB, GiB), like the guide's {@code pg_wal_lsn_diff(...) / 1024 / 1024}.
 *
 * @param lagWarningBytes    replica behind the primary by more than this: warning (100 MiB)
 * @param lagCriticalBytes   ... critical (1 GiB)
 * @param lagWarningSeconds  replay lag above this: warning (10 s)
 * @param lagCriticalSeconds ... critical (60 s)
 * @param slotInactive       a slot unused for longer than this (30 min)
 * @param slotRetainedBytes  a slot pinning more WAL than this (10 GiB)
 * @param flappingWindow     window in which leadership changes are counted (15 min)
 * @param flappingPromotions promotions within the window that count as flapping (2)
 */
public record AlertThresholds(
        long lagWarningBytes,
        long lagCriticalBytes,
        double lagWarningSeconds,
        double lagCriticalSeconds,
        Duration slotInactive,
        long slotRetainedBytes,
        Duration flappingWindow,
        int flappingPromotions) {

    private static final long MIB = 1024L * 1024;

    public static final AlertThresholds DEFAULTS = new AlertThresholds(100 * MIB, 1024 * MIB, 10, 60,
            SlotGuard.DEFAULT_THRESHOLD, 10 * 1024 * MIB, Duration.ofMinutes(15), 2);

    public AlertThresholds {
        if (lagWarningBytes > lagCriticalBytes || lagWarningSeconds > lagCriticalSeconds) {
            throw new IllegalArgumentException("alert thresholds: warning lag must not exceed critical lag ("
                    + lagWarningBytes + " B / " + lagWarningSeconds + " s vs " + lagCriticalBytes + " B / "
                    + lagCriticalSeconds + " s)");
        }
    }
}
