package io.meridian.core.plan;

import java.util.List;

/**
 * Everything a plan is computed from, measured or given.
 *
 * @param walBytesPerSecond     the primary's average WAL rate
 * @param margin                recommended bandwidth = minimum × margin
 * @param leaderRegion          the writer's region
 * @param standbys              the other members with their round trips from the leader
 * @param syncNodeCount         the cluster's {@code synchronous_node_count}
 * @param strict                the cluster's {@code synchronous_strict}
 * @param localCommitMillis     a commit's cost on the primary alone (0: left out, as the seed does)
 * @param sessions              concurrent sessions for the group-commit ceiling
 * @param regionLossRto         the last region-outage drill's figure
 * @param logicalShare          fraction of the WAL that shared tables account for (logical
 *                              replication); NaN when unknown
 * @param transferGbPerMonthOverride when not NaN, the inter-region transfer of the multi-region
 *                              topologies instead of the one computed from the WAL (the seed's
 *                              "~500 GB/month" is such a given)
 */
public record PlanInputs(double walBytesPerSecond, double margin, String leaderRegion, List<Standby> standbys,
                         int syncNodeCount, boolean strict, double localCommitMillis, int sessions, Rto regionLossRto,
                         double logicalShare, double transferGbPerMonthOverride) {

    public PlanInputs {
        standbys = List.copyOf(standbys);
    }

    /** The regions a multi-region topology spans: the leader's, then the others nearest first. */
    public List<String> regions() {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        out.add(leaderRegion);
        standbys.stream().sorted(java.util.Comparator.comparingDouble(
                        s -> Double.isNaN(s.rttMillis()) ? Double.MAX_VALUE : s.rttMillis()))
                .forEach(s -> out.add(s.region()));
        return List.copyOf(out);
    }

    /** Round trip to the nearest other region, NaN when none is measured. */
    public double nearestOtherRegionRttMillis() {
        return standbys.stream().filter(s -> !s.region().equals(leaderRegion)).mapToDouble(Standby::rttMillis)
                .filter(r -> !Double.isNaN(r)).min().orElse(Double.NaN);
    }
}
