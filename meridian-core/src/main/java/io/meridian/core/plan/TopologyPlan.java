package io.meridian.core.plan;

import java.util.ArrayList;
import java.util.List;

/** The comparison of {@link Topology topologies} for one measured (or given) workload. */
public final class TopologyPlan {

    private TopologyPlan() {
    }

    public static List<TopologyRow> compare(PlanInputs in, PriceTable prices) {
        List<TopologyRow> rows = new ArrayList<>();
        for (Topology t : Topology.values()) {
            rows.add(row(t, in, prices));
        }
        return rows;
    }

    static TopologyRow row(Topology t, PlanInputs in, PriceTable prices) {
        List<String> allRegions = in.regions();
        int regionCount = Math.max(3, allRegions.size());
        List<String> billed = billedRegions(t, allRegions, regionCount);
        int links = t.links(regionCount);
        double perLinkBytes = switch (t) {
            case SINGLE_REGION -> 0;
            case REGIONAL_LOGICAL -> in.walBytesPerSecond() * in.logicalShare();
            default -> in.walBytesPerSecond();
        };
        Bandwidth bw = Double.isNaN(perLinkBytes) ? null : new Bandwidth(perLinkBytes, in.margin());
        double transferGb = links == 0 ? 0
                : !Double.isNaN(in.transferGbPerMonthOverride()) ? in.transferGbPerMonthOverride()
                : Bandwidth.gbPerMonth(perLinkBytes) * links;
        double commitFloor = CommitCeiling.of(t.commitMode(), in.syncNodeCount(), in.strict(), in.leaderRegion(),
                in.standbys(), in.localCommitMillis()).floorMillis();
        // Acknowledged but not yet on another region: the WAL of at least one one-way trip.
        double inFlight = in.walBytesPerSecond() * in.nearestOtherRegionRttMillis() / 2 / 1000;
        String rpo;
        double rpoBytes;
        double rto = Double.NaN;
        String rtoSource;
        switch (t) {
            case SINGLE_REGION -> {
                rpo = "everything since the last backup and archived WAL";
                rpoBytes = Double.NaN;
                rtoSource = "a restore elsewhere: not drilled";
            }
            case THREE_REGION_QUORUM -> {
                rpo = "0: every commit is on another region";
                rpoBytes = 0;
                rto = in.regionLossRto().medianSeconds();
                rtoSource = in.regionLossRto().source();
            }
            case THREE_REGION_ASYNC -> {
                rpo = "> 0: the replication lag at the loss";
                rpoBytes = inFlight;
                // The same failover as region_quorum's: the drill's figure holds (the wait is the lease).
                rto = in.regionLossRto().medianSeconds();
                rtoSource = in.regionLossRto().source();
            }
            case REGIONAL_LOGICAL -> {
                rpo = "the lost region's own data since its last backup; shared tables: their lag";
                rpoBytes = Double.NaN;
                rtoSource = "the region's data is down until restored: no failover";
            }
            default -> {
                rpo = "> 0: the standby cluster's lag at the loss";
                rpoBytes = inFlight;
                rtoSource = "a manual promotion: not drilled";
            }
        }
        return new TopologyRow(t.key(), t.label(), billed.size(), links, bw == null ? Double.NaN : bw.minimumMbps(),
                bw == null ? Double.NaN : bw.recommendedMbps(), commitFloor, rpo, rpoBytes, rto, rtoSource,
                MonthlyCost.of(prices, billed, transferGb));
    }

    private static List<String> billedRegions(Topology t, List<String> regions, int count) {
        List<String> out = new ArrayList<>(regions);
        while (out.size() < count) {
            out.add(regions.get(0));
        }
        return out.subList(0, t.nodes(count));
    }
}
