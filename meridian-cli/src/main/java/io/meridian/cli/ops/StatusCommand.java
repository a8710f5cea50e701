package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.console.TextTable;
import io.meridian.core.dcs.Dcs;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;

/** {@code meridian status}: one screen with the leader, members, lag, slots, sync set and alerts. */
@Command(name = "status", description = "One screen: leader, members, lag by region, slots, sync set, alerts.")
public final class StatusCommand extends ClusterVerb {

    @Override
    int run(ClusterTarget target, Dcs dcs) {
        out().print(render(requireInitialized(target, load(target, dcs))));
        out().flush();
        return 0;
    }

    static String render(Cluster c) {
        StringBuilder out = new StringBuilder();
        out.append("Cluster ").append(c.name()).append(c.isInitialized() ? " (system id " + c.systemId() + ")" : "")
                .append(", config version ").append(c.configVersion())
                .append(!c.configValid() ? ", CONFIG INVALID" : c.config().paused() ? ", PAUSED" : "").append('\n');
        String leader = c.hasLeader() ? c.leader().name() : "none";
        String region = c.leaderMember().map(Member::region).orElse("?");
        out.append("Leader: ").append(leader).append(c.hasLeader() ? " in " + region : "")
                .append(", timeline ").append(c.leaderMember().map(Member::timeline).orElse(c.status().timeline()))
                .append(", WAL at ").append(Lag.leaderPosition(c)).append('\n');
        out.append("Synchronous: ").append(c.config().synchronousMode());
        if (!"off".equals(c.config().synchronousMode())) {
            out.append(", set ").append(c.sync().members()).append(", quorum ").append(c.sync().quorum());
        }
        out.append('\n');
        out.append(MemberTable.render(c));
        LagReport.Report lag = LagReport.of(c);
        TextTable regions = new TextTable(List.of("Region", "Members", "Max lag", "Max replay delay s", "Streaming"), Set.of(1, 2, 3));
        lag.regions().forEach(g -> regions.row(List.of(g.region(), Integer.toString(g.members()), Lag.human(g.maxBytes()),
                g.maxSeconds() < 0 ? "unknown" : LagReport.fmt(g.maxSeconds()), g.allStreaming() ? "yes" : "NO")));
        out.append(regions.render("Lag by region"));
        if (!c.status().slots().isEmpty()) {
            TextTable slots = new TextTable(List.of("Slot", "Restart LSN", "Retained WAL"), Set.of(2));
            Lsn at = Lag.leaderPosition(c);
            for (Map.Entry<String, Lsn> s : new java.util.TreeMap<>(c.status().slots()).entrySet()) {
                slots.row(List.of(s.getKey(), s.getValue().toString(), Lag.human(at.bytesAfter(s.getValue()))));
            }
            out.append(slots.render("Replication slots on " + leader));
        }
        List<String> alerts = ClusterAlerts.of(c);
        out.append(alerts.isEmpty() ? "Alerts: none\n" : "Alerts:\n");
        alerts.forEach(a -> out.append("  ").append(a).append('\n'));
        return out.toString();
    }
}
