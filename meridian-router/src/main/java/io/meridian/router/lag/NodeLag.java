package io.meridian.router.lag;

import io.meridian.core.cluster.Lsn;

/**
 * What the router knows about one node now. Lags are -1 when unknown (no fresh probe of this node
 * or of the leader), and an unknown lag never satisfies a bound.
 *
 * @param replayLsn  the newest WAL position a read there can see (null when unknown)
 * @param lagBytes   leader position minus replay position
 * @param lagMillis  time since the leader first held WAL this node has not replayed
 * @param rttNanos   smoothed probe round trip, -1 when unknown
 * @param inRecovery what the node itself said it is
 * @param fresh      the node answered within the freshness bound
 */
public record NodeLag(String node, Lsn replayLsn, long lagBytes, long lagMillis, long rttNanos,
                      boolean inRecovery, boolean fresh, long replayTimestampMillis) {

    public static NodeLag unknown(String node) {
        return new NodeLag(node, null, -1, -1, -1, false, false, -1);
    }
}
