package io.meridian.router.route;

import io.meridian.core.cluster.Lsn;

/**
 * A replica as the selector sees it: where it is, how far behind, how far away, how busy.
 *
 * @param lagBytes    -1 when unknown (never satisfies a byte bound)
 * @param lagMillis   -1 when unknown (never satisfies a time bound)
 * @param replayLsn   null when unknown (never satisfies a min LSN)
 * @param rttNanos    smoothed probe round trip, -1 when unknown (sorted last)
 * @param connections client connections the router has open to it now
 */
public record Candidate(String name, String region, String host, int port, long lagBytes, long lagMillis,
                        Lsn replayLsn, long rttNanos, int connections) {
}
