package io.meridian.agent.rest;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.postgres.PgState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body of {@code GET /patroni} (and of a health check's GET) in the shape Patroni 3.0 writes it,
 * so scripts and exporters that parse Patroni's answer keep working. Pure: the inputs are what the
 * agent last saw. Field names, order and types follow Debian 12's Patroni 3.0.2 ({@code api.py}:
 * {@code get_postgresql_status} and {@code _write_status_response}); {@code role} is therefore
 * {@code master} for a primary, as 3.0.2 says (Patroni 3.1 and later say {@code primary}).
 * Meridian's additions sit beside Patroni's keys: {@code region}, {@code quorum_standby} (Patroni 4's
 * key: every synchronous standby of Meridian's {@code ANY n} set is a quorum member) and
 * {@code patroni.name} (Patroni 3.1's).
 */
public final class PatroniStatus {

    /**
     * This node's side of the answer.
     *
     * @param name             member name
     * @param scope            cluster name (Patroni's scope)
     * @param region           Meridian's region label
     * @param version          Meridian's version (Patroni writes its own there)
     * @param tags             the node's tags
     * @param state            PostgreSQL's state when it does not answer ({@code stopped}, {@code starting} …)
     * @param dcsLastSeen      epoch seconds of the last successful read of etcd, 0 before the first
     * @param scheduledRestart what {@code POST /restart} scheduled, or null
     */
    public record Node(String name, String scope, String region, String version, MemberTags tags, String state,
                       long dcsLastSeen, Map<String, Object> scheduledRestart) {
    }

    private PatroniStatus() {
    }

    public static Map<String, Object> of(Node node, PgState pg, PgFacts facts, Cluster cluster) {
        Map<String, Object> r = new LinkedHashMap<>();
        boolean leader = cluster != null && cluster.isLeader(node.name());
        boolean sync = cluster != null && cluster.sync().members().contains(node.name());
        if (pg.running()) {
            r.put("state", "running");
            r.put("postmaster_start_time", facts.postmasterStartTime());
            r.put("role", pg.inRecovery() ? "replica" : "master");
            r.put("server_version", facts.serverVersion());
            Map<String, Object> xlog = new LinkedHashMap<>();
            if (pg.inRecovery()) {
                xlog.put("received_location", (pg.receiveLsn().value() == 0 ? pg.replayLsn() : pg.receiveLsn()).value());
                xlog.put("replayed_location", pg.replayLsn().value());
                xlog.put("replayed_timestamp", facts.replayedTimestamp());
                xlog.put("paused", pg.replayPaused());
            } else {
                xlog.put("location", pg.writeLsn().value());
            }
            r.put("xlog", xlog);
            if (pg.inRecovery() && sync) {
                r.put("sync_standby", true);
                r.put("quorum_standby", true);
            }
            r.put("timeline", pg.timeline());
            if (!facts.replication().isEmpty()) {
                r.put("replication", facts.replication());
            }
        } else {
            r.put("state", node.state());
            r.put("role", leader ? "master" : "replica");
        }
        if (cluster == null || !cluster.hasLeader()) {
            r.put("cluster_unlocked", true);
        }
        r.put("dcs_last_seen", node.dcsLastSeen());
        Map<String, Object> tags = tags(node.tags());
        if (!tags.isEmpty()) {
            r.put("tags", tags);
        }
        if (pg.systemId() != null) {
            r.put("database_system_identifier", pg.systemId());
        }
        if (pg.running() && facts.pendingRestart()) {
            r.put("pending_restart", true);
        }
        Map<String, Object> patroni = new LinkedHashMap<>();
        patroni.put("version", node.version());
        patroni.put("scope", node.scope());
        patroni.put("name", node.name());
        r.put("patroni", patroni);
        if (node.scheduledRestart() != null) {
            r.put("scheduled_restart", node.scheduledRestart());
        }
        if (cluster != null && cluster.config().paused()) {
            r.put("pause", true);
        }
        r.put("region", node.region());
        return r;
    }

    /**
     * The tags as Patroni lists them, and as {@code ?tag_key=value} compares them: Patroni drops a
     * boolean tag that is false ({@code nofailover: false} is no tag; the recorded 3.0.2 answers
     * {@code /replica?tag_nofailover=false} with 503), so {@code nofailover} and
     * {@code noloadbalance} appear only when true, and {@code failover_priority} only when it is not
     * Meridian's default of 1.
     */
    public static Map<String, Object> tags(MemberTags t) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (t.noFailover()) {
            m.put("nofailover", true);
        }
        if (t.failoverPriority() != MemberTags.DEFAULT.failoverPriority()) {
            m.put("failover_priority", t.failoverPriority());
        }
        if (t.noLoadBalance()) {
            m.put("noloadbalance", true);
        }
        return m;
    }
}
