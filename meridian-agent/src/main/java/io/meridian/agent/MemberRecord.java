package io.meridian.agent;

import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.postgres.PgState;

/** Builds the record an agent publishes about itself in {@code /members/<name>} each cycle. */
final class MemberRecord {

    private MemberRecord() {
    }

    static Member of(NodeConfig node, PgState s, boolean replicating, String etcdMember) {
        Role role = !s.running() ? Role.UNKNOWN : s.inRecovery() ? Role.REPLICA : Role.PRIMARY;
        String replication = !s.running() || !s.inRecovery() ? null
                : s.streaming() ? "streaming" : replicating ? "reconnecting" : "stopped";
        return new Member(node.name(), node.region(), role, s.running() ? "running" : "stopped", s.timeline(),
                s.writeLsn(), s.receiveLsn(), s.replayLsn(), replication, s.replayLagSeconds(),
                node.postgresql().connectAddress().host(), node.postgresql().connectAddress().port(),
                node.restapi().url(), node.tags(), System.currentTimeMillis(), etcdMember,
                // Why WAL does not reach a standby (server log), for list, the dashboard and other agents.
                s.running() && s.inRecovery() && !s.streaming() && s.walReceiverError() != null
                        ? s.walReceiverError().toString() : null);
    }
}
