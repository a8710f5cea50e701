package io.meridian.core.plan;

import java.util.Comparator;
import java.util.List;

/**
 * The fastest a commit can be acknowledged under one synchronous mode, and so the most commits
 * per second one session (which waits for each commit) can make: 1000 ms / floor. With N
 * sessions, group commit lets one flush and one round trip acknowledge all N, so the ceiling is
 * N times that (before the CPU, the disk or the link run out).
 *
 * <p>The floor follows the rules the leader's {@code SyncKeeper} applies: {@code quorum} waits for
 * {@code synchronous_node_count} = k of the promotable standbys, {@code region_quorum} for k of
 * those outside the leader's region, so a commit waits for the k-th nearest of them; with fewer
 * than k the leader lowers the quorum to what is there, or, with {@code synchronous_strict},
 * commits wait forever. The seed's example: one standby 80 ms away, 1000 / 80 = 12.5 commits/s.
 *
 * @param mode              the synchronous mode
 * @param quorum            standbys each commit waits for (0: none)
 * @param waitsFor          the standbys whose acknowledgement completes the quorum, nearest first
 * @param floorMillis       local commit time plus the round trip to the k-th nearest eligible
 *                          standby; NaN when a round trip it needs is unknown; infinite when
 *                          commits wait forever (strict, too few standbys)
 */
public record CommitCeiling(SyncMode mode, int quorum, List<String> waitsFor, double floorMillis) {

    public CommitCeiling {
        waitsFor = List.copyOf(waitsFor);
    }

    /**
     * @param localCommitMillis what a commit costs on the primary alone (WAL flush), ms; 0 to leave it
     *                          out as the seed does
     */
    public static CommitCeiling of(SyncMode mode, int syncNodeCount, boolean strict, String leaderRegion,
                                   List<Standby> standbys, double localCommitMillis) {
        if (mode == SyncMode.OFF) {
            return new CommitCeiling(mode, 0, List.of(), localCommitMillis);
        }
        List<Standby> eligible = standbys.stream().filter(Standby::promotable)
                .filter(s -> mode != SyncMode.REGION_QUORUM || !s.region().equals(leaderRegion))
                .sorted(Comparator.comparingDouble(s -> Double.isNaN(s.rttMillis()) ? Double.MAX_VALUE : s.rttMillis()))
                .toList();
        int quorum = strict ? syncNodeCount : Math.min(syncNodeCount, eligible.size());
        if (quorum <= 0) {
            return new CommitCeiling(mode, 0, List.of(), localCommitMillis);
        }
        if (eligible.size() < quorum) {
            return new CommitCeiling(mode, quorum, List.of(), Double.POSITIVE_INFINITY);
        }
        List<Standby> nearest = eligible.subList(0, quorum);
        double kth = nearest.get(quorum - 1).rttMillis();
        return new CommitCeiling(mode, quorum, nearest.stream().map(Standby::name).toList(), localCommitMillis + kth);
    }

    /** Commits per second one session can make, waiting for each. */
    public double perSessionPerSecond() {
        return floorMillis <= 0 ? Double.POSITIVE_INFINITY : 1000 / floorMillis;
    }

    /** Commits per second {@code sessions} concurrent sessions can make, one group commit per round trip. */
    public double withSessionsPerSecond(int sessions) {
        return perSessionPerSecond() * sessions;
    }
}
