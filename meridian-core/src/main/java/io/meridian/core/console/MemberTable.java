package io.meridian.core.console;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
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

    /** Patroni's role words, so scripts written against patronictl keep matching. */
    public static String role(Cluster c, Member m) {
        if (c.isLeader(m.name())) {
            return "Leader";
        }
        if (m.role() == Role.PRIMARY) {
            return "Primary";
        }
        if (m.role() == Role.REPLICA && c.sync().members().contains(m.name())) {
            return "Sync Standby";
        }
        return m.role().label();
    }

    /**
     * A running replica shows whether WAL reaches it, with Patroni 3's words: {@code streaming} when its
     * WAL receiver is connected, else {@code in archive recovery} (replaying only what it has), never
     * {@code running}, which hid a replica that could not authenticate for as long as it stayed so.
     */
    public static String state(Member m) {
        if (m.role() == Role.REPLICA && m.isRunning()) {
            return m.isStreaming() ? "streaming" : "in archive recovery";
        }
        return m.state() == null ? "unknown" : m.state();
    }

    public static List<Member> ordered(Cluster c) {
        return c.members().stream().sorted(Lag.leaderFirst(c)).toList();
    }

    public static String render(Cluster c) {
        TextTable t = new TextTable(COLUMNS, Set.of(5, 6));
        for (Member m : ordered(c)) {
            Long mb = Lag.megabytes(Lag.bytesBehind(c, m));
            String lag = c.isLeader(m.name()) ? "" : mb == null ? "unknown" : Long.toString(mb);
            t.row(List.of(m.name(), m.hostPort(), nz(m.region()), role(c, m), state(m),
                    m.timeline() > 0 ? Long.toString(m.timeline()) : "", lag));
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

    public static String title(Cluster c) {
        return "Cluster: " + c.name() + (c.isInitialized() ? " (" + c.systemId() + ")" : "");
    }

    /** One object per member with patronictl's keys ({@code .[] | select(.Role == "Leader") | .Member}). */
    public static List<Map<String, Object>> rows(Cluster c) {
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
            out.add(row);
        }
        return out;
    }

    static String nz(String s) {
        return s == null ? "" : s;
    }
}
