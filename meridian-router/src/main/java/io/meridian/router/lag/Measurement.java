package io.meridian.router.lag;

import io.meridian.core.cluster.Lsn;

/**
 * One probe of one node.
 *
 * @param inRecovery         true on a standby
 * @param lsn                {@code pg_current_wal_lsn()} on a primary, {@code pg_last_wal_replay_lsn()}
 *                           on a standby (what a read there can see)
 * @param replayTimestampMillis {@code pg_last_xact_replay_timestamp()} in epoch millis, or -1
 * @param rttNanos           smoothed round-trip time of the probe query
 * @param atNanos            monotonic time the answer arrived
 */
public record Measurement(boolean inRecovery, Lsn lsn, long replayTimestampMillis, long rttNanos, long atNanos) {
}
