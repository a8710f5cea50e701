package io.meridian.agent.metrics;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Bytes per second of ever-growing WAL positions, one per key (the primary's WAL, each standby's
 * flush position), from the difference between two consecutive observations (an HA cycle, or a
 * scrape that re-read PostgreSQL).
 *
 * <p>Not thread-safe: only called under {@link AgentMetrics}' lock.
 */
final class ByteRates {

    private record Sample(long bytes, long atMillis) {
    }

    private final Map<String, Sample> last = new HashMap<>();

    /**
     * Records {@code bytes} for {@code key} at {@code nowMillis} and returns the rate since the previous
     * sample, or NaN on the first sample, when no time passed, or when the position went backwards
     * (a new primary on another timeline, a re-cloned standby): a negative rate would be a lie.
     */
    double observe(String key, long bytes, long nowMillis) {
        Sample previous = last.put(key, new Sample(bytes, nowMillis));
        if (previous == null || nowMillis <= previous.atMillis() || bytes < previous.bytes()) {
            return Double.NaN;
        }
        return (bytes - previous.bytes()) * 1000.0 / (nowMillis - previous.atMillis());
    }

    /** Forgets keys not seen this cycle, so a standby that comes back starts a fresh rate. */
    void retain(Set<String> keys) {
        last.keySet().retainAll(keys);
    }
}
