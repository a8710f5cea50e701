package io.meridian.cli.plan;

import static io.meridian.core.plan.Figures.threeSignificant;
import static io.meridian.core.plan.Figures.twoSignificant;
import static io.meridian.core.plan.Figures.whole;

import io.meridian.core.console.TextTable;
import io.meridian.core.plan.TopologyRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A plan for people: tables in the terminal ({@code table}) or for a design review ({@code markdown}). */
final class PlanText {

    private PlanText() {
    }

    static String render(PlanReport r, boolean markdown) {
        StringBuilder out = new StringBuilder();
        PlanReport.Measured m = r.measured();
        String head = "cluster " + r.cluster() + ", leader " + r.leader() + " (" + r.leaderRegion() + "), synchronous_mode "
                + r.synchronousMode() + ", synchronous_node_count " + r.synchronousNodeCount();
        out.append(markdown ? "# Plan: " + head + "\n\n" : head + "\n");
        out.append(String.format("WAL over %s s (%d samples, %s): %s bytes/s average (%s Mbps), p95 %s, peak %s bytes/s%s",
                twoSignificant(m.windowSeconds()), m.samples(), m.walSource(), twoSignificant(m.walBytesPerSecond()),
                twoSignificant(io.meridian.core.plan.Bandwidth.mbps(m.walBytesPerSecond())),
                twoSignificant(m.walP95BytesPerSecond()), twoSignificant(m.walPeakBytesPerSecond()),
                markdown ? "\n\n" : "\n"));
        out.append(m.databaseSizeBytes() == null ? "database size: " + m.databaseSource()
                : "database size: " + twoSignificant(m.databaseSizeBytes() / 1048576.0) + " MB, growth "
                        + twoSignificant(m.databaseGrowthBytesPerDay() / 1048576.0) + " MB/day over the window");
        out.append(markdown ? "\n\n" : "\n");

        List<List<String>> links = new ArrayList<>();
        for (PlanReport.Link l : r.links()) {
            links.add(List.of(l.from() + " → " + l.to(), twoSignificant(l.rttMillis()), twoSignificant(l.minMbps()),
                    twoSignificant(l.recommendedMbps()), twoSignificant(l.peakMbps()), twoSignificant(l.transferGbPerMonth())));
        }
        out.append(table(markdown, "Links", List.of("link", "RTT ms", "min Mbps", "recommended Mbps", "peak Mbps", "GB/month"),
                Set.of(1, 2, 3, 4, 5), links));

        List<List<String>> commits = new ArrayList<>();
        for (PlanReport.Commit c : r.commit()) {
            // With no --local-commit-ms, an asynchronous commit's floor is the local flush, which is not measured.
            boolean localOnly = c.quorum() == 0 && c.floorMillis() == 0;
            commits.add(List.of(c.mode() + (c.current() ? " (current)" : ""), c.waitsFor().isEmpty() ? "-" : String.join(", ", c.waitsFor()),
                    localOnly ? "local flush" : threeSignificant(c.floorMillis()),
                    localOnly ? "disk-bound" : threeSignificant(c.perSession()),
                    localOnly ? "disk-bound" : threeSignificant(c.withSessions()) + " (" + c.sessions() + ")"));
        }
        out.append(table(markdown, "Commits", List.of("synchronous_mode", "waits for", "floor ms", "commits/s, 1 session",
                "commits/s, N sessions"), Set.of(2, 3, 4), commits));
        if (r.commitProbe() != null) {
            PlanReport.Probe p = r.commitProbe();
            out.append(String.format("measured (%s, one session, %d commits in %s s): %s ms median, %s ms p95, %s commits/s%s",
                    p.mode(), p.commits(), twoSignificant(p.seconds()), threeSignificant(p.medianMillis()),
                    threeSignificant(p.p95Millis()), threeSignificant(p.perSecond()), markdown ? "\n\n" : "\n"));
        }
        if (r.topologies() != null) {
            List<List<String>> rows = new ArrayList<>();
            for (TopologyRow t : r.topologies()) {
                rows.add(List.of(t.label(), Integer.toString(t.nodes()), twoSignificant(t.bandwidthMinMbps()) + " / "
                                + twoSignificant(t.bandwidthRecommendedMbps()),
                        threeSignificant(t.commitFloorMillis()), t.rpo(),
                        Double.isNaN(t.rto()) ? t.rtoSource() : twoSignificant(t.rto()) + " s",
                        whole(t.cost().total())));
            }
            out.append(table(markdown, "Topologies (" + r.priceTable() + ")", List.of("topology", "nodes",
                    "Mbps per link min / rec.", "commit floor ms", "RPO on region loss", "RTO on region loss",
                    "€/month"), Set.of(1, 2, 3, 6), rows));
        }
        return out.toString();
    }

    private static String table(boolean markdown, String title, List<String> headers, Set<Integer> right,
                                List<List<String>> rows) {
        if (!markdown) {
            TextTable t = new TextTable(headers, right);
            rows.forEach(t::row);
            return t.render(title);
        }
        StringBuilder b = new StringBuilder("## ").append(title).append("\n\n| ").append(String.join(" | ", headers)).append(" |\n|");
        for (int i = 0; i < headers.size(); i++) {
            b.append(right.contains(i) ? "---:|" : "---|");
        }
        b.append('\n');
        for (List<String> r : rows) {
            b.append("| ").append(String.join(" | ", r.stream().map(c -> c.replace("|", "\\|")).toList())).append(" |\n");
        }
        return b.append('\n').toString();
    }
}
