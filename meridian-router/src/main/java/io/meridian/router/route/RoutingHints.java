package io.meridian.router.route;

import io.meridian.core.cluster.Lsn;

/**
 * What one connection asked for in its startup packet ({@code meridian.*} options); null fields
 * mean "use the router's configuration".
 *
 * @param maxLag  lag bound replacing the configured one for this connection
 * @param minLsn  the read must see at least this WAL position (read-your-writes)
 * @param region  region to prefer over the router's own
 */
public record RoutingHints(LagBound maxLag, Lsn minLsn, String region) {

    public static final RoutingHints NONE = new RoutingHints(null, null, null);
}
