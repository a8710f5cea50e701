package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
import io.meridian.core.console.MemberLabels;
import io.meridian.core.console.TextTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The member list of {@code meridian list}, as a table like {@code patronictl list} or as JSON rows. */
public final class MemberTable {

    static final List<String> COLUMNS = List.of("Member", "Host", "Region", "Role", "State", "TL", "Lag in MB");

    private MemberTable() {
    }

    /** Patroni's role words, so scripts written against patronictl keep matching ({@link MemberLabels#role}). */
    public static String role(Cluster c, Member m) {
        return MemberLabels.role(c, m);
    }

    /** Patroni 3's state words ({@link MemberLabels#state}). */
    public static String state(Member m) {
        return MemberLabels.state(m);
    }

    public static List<Member> ordered(Cluster c) {
        return c.members().stream().sorted(Lag.leaderFirst(c)).toList();
    }

    public static String render(Cluster c) {
        return render(c, null);
    }

    /** The table; with {@code extras} ({@code list -e}) also the pending and scheduled restarts and tags. */
    static String render(Cluster c, Map<String, MemberExtras> extras) {
        List<String> headers = new ArrayList<>(COLUMNS);
        if (extras != null) {
            headers.addAll(MemberExtras.COLUMNS);
        }
        TextTable t = new TextTable(headers, Set.of(5, 6));
        for (Member m : ordered(c)) {
            Long mb = Lag.megabytes(Lag.bytesBehind(c, m));
            String lag = c.isLeader(m.name()) ? "" : mb == null ? "unknown" : Long.toString(mb);
            List<String> cells = new ArrayList<>(List.of(m.name(), m.hostPort(), nz(m.region()), role(c, m), state(m),
                    m.timeline() > 0 ? Long.toString(m.timeline()) : "", lag));
            if (extras != null) {
                MemberExtras x = extras.getOrDefault(m.name(), MemberExtras.from(m, null));
                cells.addAll(List.of(x.pendingRestart(), x.pendingReason(), x.scheduledRestart(), x.tagsText()));
            }
            t.row(cells);
        }
        StringBuilder out = new StringBuilder(t.render(title(c)));
        if (c.members().isEmpty()) {
            out.append(" No member is alive.\n");
        }
        if (!c.hasLeader()) {
            out.append(" No leader.\n");
        } else if (c.leaderMember().isEmpty()) {
            out.append(" Leader ").append(c.leader().name()).append(" holds the lease but its agent has no member key.\n");
        }
        for (Member m : ordered(c)) {
            if (m.walReceiverError() != null && m.role() == Role.REPLICA && !m.isStreaming()) {
                out.append(" ").append(m.name()).append(" is not streaming: ").append(m.walReceiverError()).append('\n');
            }
        }
        if (!c.configValid()) {
            out.append(" ").append(configInvalid(c)).append('\n');
        } else if (c.config().paused()) {
            out.append(" Maintenance mode: on\n");
        }
        if (c.switchover() != null) {
            var s = c.switchover();
            out.append(s.isFailover() ? " Failover" : " Switchover").append(" pending")
                    .append(s.candidate() == null ? "" : " to " + s.candidate())
                    .append(s.scheduledAt() > 0 ? " at " + Instant.ofEpochMilli(s.scheduledAt()) : "").append('\n');
        }
        return out.toString();
    }

    /**
     * The line that says {@code /config} does not decode: agents then keep their last valid
     * configuration (or, having none, take no automatic action) until it is replaced.
     */
    static String configInvalid(Cluster c) {
        return "Config: INVALID (" + c.configError() + "); agents keep their last valid configuration"
                + " (meridian_config_valid 0); fix it with 'meridian edit-config --replace FILE'";
    }

    static String title(Cluster c) {
        return "Cluster: " + c.name() + (c.isInitialized() ? " (" + c.systemId() + ")" : "");
    }

    /** One object per member with patronictl's keys ({@code .[] | select(.Role == "Leader") | .Member}). */
    public static List<Map<String, Object>> rows(Cluster c) {
        return rows(c, null);
    }

    /** The keys of every row, in order: Cluster, the table's columns, and with {@code -e} the extended ones. */
    static List<String> keys(boolean extended) {
        List<String> k = new ArrayList<>();
        k.add("Cluster");
        k.addAll(COLUMNS);
        if (extended) {
            k.addAll(MemberExtras.COLUMNS);
        }
        return k;
    }

    /** As {@link #rows(Cluster)}, with {@code extras} ({@code list -e}) adding patronictl's extended keys. */
    static List<Map<String, Object>> rows(Cluster c, Map<String, MemberExtras> extras) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Member m : ordered(c)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("Cluster", c.name());
            row.put("Member", m.name());
            row.put("Host", m.hostPort());
            row.put("Region", m.region());
            row.put("Role", role(c, m));
            row.put("State", state(m));
            row.put("TL", m.timeline());
            row.put("Lag in MB", c.isLeader(m.name()) ? null : Lag.megabytes(Lag.bytesBehind(c, m)));
            if (extras != null) {
                MemberExtras x = extras.getOrDefault(m.name(), MemberExtras.from(m, null));
                row.put("Pending restart", x.pendingRestart());
                row.put("Pending restart reason", x.pendingReason());
                row.put("Scheduled restart", x.scheduledRestart());
                row.put("Tags", x.tags());
            }
            out.add(row);
        }
        return out;
    }

    static String nz(String s) {
        return s == null ? "" : s;
    }
}
