package io.meridian.router.route;

import io.meridian.core.cluster.Lsn;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the replica for one read-only connection. Pure: same inputs, same answer.
 *
 * <ol>
 *   <li>only replicas within the lag bound, and at or past {@code minLsn} when one is given;</li>
 *   <li>the preferred region first (the connection's, else the router's), then the other regions
 *       in order of their nearest replica's measured round trip;</li>
 *   <li>within the chosen region, fewest connections, then lowest round trip, then name.</li>
 * </ol>
 * Regions are chosen whole before load is compared: a busy local replica beats an idle one an
 * ocean away, which is the point of region affinity.
 */
public final class ReplicaSelector {

    private ReplicaSelector() {
    }

    public static Optional<Candidate> choose(List<Candidate> replicas, String preferredRegion, LagBound bound, Lsn minLsn) {
        List<Candidate> eligible = replicas.stream().filter(c -> qualifies(c, bound, minLsn)).toList();
        if (eligible.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Long> regionRtt = new HashMap<>();
        for (Candidate c : eligible) {
            long rtt = c.rttNanos() < 0 ? Long.MAX_VALUE : c.rttNanos();
            regionRtt.merge(String.valueOf(c.region()), rtt, Math::min);
        }
        Comparator<Candidate> order = Comparator
                .comparing((Candidate c) -> preferredRegion == null || !preferredRegion.equals(c.region()))
                .thenComparing(c -> regionRtt.get(String.valueOf(c.region())))
                .thenComparing(c -> String.valueOf(c.region()))
                .thenComparingInt(Candidate::connections)
                .thenComparingLong(c -> c.rttNanos() < 0 ? Long.MAX_VALUE : c.rttNanos())
                .thenComparing(Candidate::name);
        return eligible.stream().min(order);
    }

    static boolean qualifies(Candidate c, LagBound bound, Lsn minLsn) {
        if (bound != null && bound.bounded() && !bound.admits(c.lagBytes(), c.lagMillis())) {
            return false;
        }
        return minLsn == null || (c.replayLsn() != null && c.replayLsn().compareTo(minLsn) >= 0);
    }
}
