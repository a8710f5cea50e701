package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code meridian topology}: members as a tree by region, the leader's region and the leader first. */
public final class TopologyView {

    private TopologyView() {
    }

    /** Leader's region, then the configured region_priority, then by name. */
    static List<String> regionOrder(Cluster c, Iterable<String> regions) {
        String leaderRegion = c.leaderMember().map(Member::region).orElse(null);
        List<String> priority = c.config().regionPriority();
        List<String> out = new ArrayList<>();
        regions.forEach(out::add);
        out.sort(Comparator.<String, Boolean>comparing(r -> !r.equals(leaderRegion))
                .thenComparing(r -> priority.contains(r) ? priority.indexOf(r) : Integer.MAX_VALUE)
                .thenComparing(Comparator.naturalOrder()));
        return out;
    }

    public static String render(Cluster c) {
        Map<String, List<Member>> byRegion = new TreeMap<>();
        for (Member m : c.members()) {
            byRegion.computeIfAbsent(m.region() == null ? "(no region)" : m.region(), k -> new ArrayList<>()).add(m);
        }
        StringBuilder out = new StringBuilder(MemberTable.title(c));
        if (c.config().paused()) {
            out.append("  [maintenance mode]");
        }
        out.append('\n');
        List<String> regions = regionOrder(c, byRegion.keySet());
        for (int i = 0; i < regions.size(); i++) {
            boolean lastRegion = i == regions.size() - 1;
            out.append(lastRegion ? "└── " : "├── ").append(regions.get(i)).append('\n');
            List<Member> members = byRegion.get(regions.get(i)).stream().sorted(Lag.leaderFirst(c)).toList();
            for (int j = 0; j < members.size(); j++) {
                out.append(lastRegion ? "    " : "│   ").append(j == members.size() - 1 ? "└── " : "├── ")
                        .append(describe(c, members.get(j))).append('\n');
            }
        }
        if (c.members().isEmpty()) {
            out.append("    (no member is alive)\n");
        }
        return out.toString();
    }

    static String describe(Cluster c, Member m) {
        StringBuilder s = new StringBuilder(m.name()).append(" [").append(MemberTable.role(c, m)).append("] ")
                .append(MemberTable.state(m)).append(", TL ").append(m.timeline()).append(", ").append(m.hostPort());
        if (!c.isLeader(m.name())) {
            s.append(", lag ").append(Lag.human(Lag.bytesBehind(c, m)));
        }
        if (!m.tags().promotable()) {
            s.append(", nofailover");
        }
        return s.toString();
    }
}
