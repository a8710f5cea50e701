package io.meridian.core.failover;

import io.meridian.core.cluster.Lsn;
import java.util.List;
import java.util.Set;

/**
 * What the cluster knew about the lost leader when the race starts.
 *
 * @param leaderLsn            last WAL position the lost leader published
 * @param timeline             the cluster's current timeline
 * @param maximumLagOnFailover bytes behind {@code leaderLsn} a candidate may be
 * @param lagTolerance         bytes behind the most advanced candidate within which region
 *                             preference may decide (0: the most advanced always wins)
 * @param lostLeaderRegion     region of the lost leader, preferred for its successor (null if unknown)
 * @param regionPriority       regions in order of preference after the lost leader's own
 * @param syncMembers          when synchronous replication is on, only these may be promoted;
 *                             null when it is off
 */
public record FailoverContext(
        Lsn leaderLsn,
        long timeline,
        long maximumLagOnFailover,
        long lagTolerance,
        String lostLeaderRegion,
        List<String> regionPriority,
        Set<String> syncMembers) {

    public FailoverContext {
        leaderLsn = leaderLsn == null ? Lsn.ZERO : leaderLsn;
        regionPriority = regionPriority == null ? List.of() : List.copyOf(regionPriority);
    }
}
