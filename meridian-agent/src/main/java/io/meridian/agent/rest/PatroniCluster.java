package io.meridian.agent.rest;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.cluster.TimelineEvent;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /cluster} and {@code GET /history} in Patroni's shapes ({@code cluster_as_json} in
 * Patroni 3.0's {@code utils.py}; the history key's lines), for tools written against Patroni.
 * Meridian's own records, richer, stay at {@code /meridian/cluster} and {@code /meridian/history}.
 * Each member also carries its {@code region}, Meridian's one addition.
 */
public final class PatroniCluster {

    /** Python's {@code datetime.isoformat()} for an aware UTC time: {@code 2026-12-06T15:46:20.123000+00:00}. */
    static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    private PatroniCluster() {
    }

    public static Map<String, Object> of(Cluster c) {
        String leader = c.hasLeader() ? c.leader().name() : null;
        long clusterLsn = c.leaderMember().map(m -> m.lsn().value()).orElse(0L);
        clusterLsn = Math.max(clusterLsn, c.status().leaderLsn().value());
        List<Map<String, Object>> members = new ArrayList<>();
        for (Member m : c.members().stream().sorted(Comparator.comparing(Member::name)).toList()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", m.name());
            out.put("role", m.name().equals(leader) ? "leader"
                    : c.sync().members().contains(m.name()) ? "sync_standby" : "replica");
            out.put("state", m.isRunning() ? "running" : m.state());
            out.put("api_url", m.apiUrl() + "/patroni");
            if (m.host() != null && !m.host().isEmpty()) {
                out.put("host", m.host());
                if (m.port() > 0) {
                    out.put("port", m.port());
                }
            }
            if (m.timeline() > 0) {
                out.put("timeline", m.timeline());
            }
            Map<String, Object> tags = PatroniStatus.tags(m.tags());
            if (!tags.isEmpty()) {
                out.put("tags", tags);
            }
            if (!m.name().equals(leader)) {
                long lsn = m.lsn().value();
                out.put("lag", lsn == 0 ? "unknown" : Math.max(0, clusterLsn - lsn)); // Patroni: no position known
            }
            out.put("region", m.region());
            members.add(out);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("members", members);
        if (c.config().paused()) {
            r.put("pause", true);
        }
        SwitchoverRequest s = c.switchover();
        if (s != null && s.scheduledAt() > 0) {
            Map<String, Object> at = new LinkedHashMap<>();
            at.put("at", iso(s.scheduledAt()));
            if (s.leader() != null && !s.leader().isEmpty()) {
                at.put("from", s.leader());
            }
            if (s.candidate() != null && !s.candidate().isEmpty()) {
                at.put("to", s.candidate());
            }
            r.put("scheduled_switchover", at);
        }
        return r;
    }

    /**
     * Patroni's history lines: {@code [timeline, lsn, reason, timestamp, new_leader]}, where
     * {@code timeline} is the one that ended and {@code lsn} (bytes) where it ended, as
     * {@code pg_ctl promote}'s timeline history file says; Meridian records the timeline the new
     * leader started, so one is subtracted.
     */
    public static List<List<Object>> history(List<TimelineEvent> events) {
        List<List<Object>> lines = new ArrayList<>();
        for (TimelineEvent e : events) {
            if (e.timeline() <= 1) {
                continue; // the bootstrap: no timeline ended, Patroni writes no line
            }
            List<Object> line = new ArrayList<>();
            line.add(e.timeline() - 1);
            line.add(e.lsn().value());
            line.add(e.reason());
            line.add(iso(e.atMillis()));
            line.add(e.newLeader());
            lines.add(line);
        }
        return lines;
    }

    static String iso(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC).format(ISO);
    }
}
