package io.meridian.core.failover;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.config.DynamicConfig;
import java.util.HashSet;
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

    /**
     * The race after the leader was lost: candidates are measured against its last published
     * position and timeline, its region preferred.
     */
    public static FailoverContext afterLoss(Cluster c) {
        DynamicConfig cfg = c.config();
        String lostRegion = c.history().isEmpty() ? null : c.history().get(c.history().size() - 1).region();
        long timeline = c.status().timeline() > 0 ? c.status().timeline() : c.lastTimeline();
        return new FailoverContext(c.status().leaderLsn(), timeline, cfg.maximumLagOnFailover(),
                cfg.lagTolerance(), lostRegion, cfg.regionPriority(), syncSet(c));
    }

    /**
     * A live leader hands over (switchover, manual failover): candidates are measured against its
     * position now, its region preferred, and the most advanced always wins (no lag tolerance:
     * nobody needs to catch up from another standby when the leader itself can still ship).
     */
    public static FailoverContext handover(Cluster c, Lsn leaderLsn, long timeline, String leaderRegion) {
        DynamicConfig cfg = c.config();
        return new FailoverContext(leaderLsn, timeline, cfg.maximumLagOnFailover(), 0, leaderRegion,
                cfg.regionPriority(), syncSet(c));
    }

    /** The synchronous set to honour; an empty {@code /sync} means the leader had fallen back to async: none. */
    private static Set<String> syncSet(Cluster c) {
        return "off".equals(c.config().synchronousMode()) || c.sync().members().isEmpty()
                ? null : new HashSet<>(c.sync().members());
    }
}
