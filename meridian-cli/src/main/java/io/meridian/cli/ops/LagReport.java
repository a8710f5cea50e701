package io.meridian.cli.ops;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.console.TextTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Replication lag per member and per region, from one cluster record. */
public final class LagReport {

    /** The seed's warning thresholds: over 100 MB or 10 s behind. */
    static final long WARN_BYTES = 100 * Lag.MB;
    static final double WARN_SECONDS = 10;

    public record MemberLag(String member, String region, String role, String state,
                            @JsonProperty("lag_bytes") long bytes, @JsonProperty("lag_seconds") double seconds,
                            @JsonProperty("replication_state") String replicationState) {
    }

    public record RegionLag(String region, int members, @JsonProperty("max_lag_bytes") long maxBytes,
                            @JsonProperty("max_lag_seconds") double maxSeconds, @JsonProperty("all_streaming") boolean allStreaming) {
    }

    public record Report(String cluster, String leader, List<MemberLag> members, List<RegionLag> regions) {
    }

    private LagReport() {
    }

    public static Report of(Cluster c) {
        List<MemberLag> members = new ArrayList<>();
        Map<String, List<MemberLag>> byRegion = new LinkedHashMap<>();
        for (Member m : MemberTable.ordered(c)) {
            boolean leader = c.isLeader(m.name());
            MemberLag ml = new MemberLag(m.name(), m.region(), MemberTable.role(c, m), MemberTable.state(m),
                    Lag.bytesBehind(c, m), leader ? 0 : m.replayLagSeconds(), leader ? null : m.replicationState());
            members.add(ml);
            byRegion.computeIfAbsent(m.region() == null ? "" : m.region(), k -> new ArrayList<>()).add(ml);
        }
        List<RegionLag> regions = new ArrayList<>();
        for (String r : TopologyView.regionOrder(c, byRegion.keySet())) {
            List<MemberLag> ms = byRegion.get(r);
            regions.add(new RegionLag(r, ms.size(), ms.stream().mapToLong(MemberLag::bytes).max().orElse(0),
                    ms.stream().mapToDouble(MemberLag::seconds).max().orElse(0),
                    ms.stream().allMatch(x -> x.role().equals("Leader") || "streaming".equals(x.replicationState()))));
        }
        return new Report(c.name(), c.hasLeader() ? c.leader().name() : null, members, regions);
    }

    public static String render(Report r) {
        TextTable members = new TextTable(List.of("Member", "Region", "Role", "State", "Lag", "Lag bytes", "Replay delay s", "Alert"),
                Set.of(4, 5, 6));
        for (MemberLag m : r.members()) {
            boolean leader = m.role().equals("Leader");
            members.row(List.of(m.member(), nz(m.region()), m.role(), m.state(), leader ? "" : Lag.human(m.bytes()),
                    leader ? "" : Long.toString(m.bytes()), leader || m.seconds() < 0 ? "" : fmt(m.seconds()), flag(m)));
        }
        TextTable regions = new TextTable(List.of("Region", "Members", "Max lag", "Max replay delay s", "Streaming"), Set.of(1, 2, 3));
        for (RegionLag g : r.regions()) {
            regions.row(List.of(g.region(), Integer.toString(g.members()), Lag.human(g.maxBytes()),
                    g.maxSeconds() < 0 ? "unknown" : fmt(g.maxSeconds()), g.allStreaming() ? "yes" : "NO"));
        }
        return members.render("Lag: " + r.cluster() + ", leader " + (r.leader() == null ? "none" : r.leader()))
                + regions.render("By region");
    }

    /** A mark for a member past the seed's warning thresholds or not streaming. */
    static String flag(MemberLag m) {
        if (m.role().equals("Leader")) {
            return "";
        }
        if (!"streaming".equals(m.replicationState())) {
            return "not streaming";
        }
        if (m.bytes() > WARN_BYTES || m.seconds() > WARN_SECONDS) {
            return "LAGGING";
        }
        return "";
    }

    static String fmt(double seconds) {
        return String.format(java.util.Locale.ROOT, "%.1f", seconds);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
