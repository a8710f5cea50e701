package io.meridian.agent.metrics;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.postgres.PgState;
import java.util.Optional;

/**
 * How far each replica is behind, from the freshest source at hand: the primary's own
 * {@code pg_stat_replication} when this agent runs the primary, else the member records in etcd
 * (which trail the truth by up to one loop_wait). Where both exist the larger lag wins, as in the
 * Prometheus rules' {@code max(... or ...)}.
 */
final class ReplicaLag {

    private final PgState primary;
    private final Lsn head;

    /** {@code primary} is the local PostgreSQL's state when it is the primary, else null. */
    ReplicaLag(Cluster cluster, PgState primary) {
        this.primary = primary;
        this.head = primary != null ? primary.writeLsn()
                : cluster.leaderMember().map(Member::writeLsn).filter(l -> l.value() != 0)
                        .orElse(cluster.status().leaderLsn());
    }

    Optional<Double> bytes(Member m) {
        Optional<Double> fromPrimary = connection(m.name()).map(rc -> (double) primary.writeLsn().bytesAfter(rc.replayLsn()));
        Optional<Double> fromRecord = head.value() == 0 || m.replayLsn().value() == 0 ? Optional.empty()
                : Optional.of((double) head.bytesAfter(m.replayLsn()));
        return larger(fromPrimary, fromRecord);
    }

    Optional<Double> seconds(Member m) {
        Optional<Double> fromPrimary = connection(m.name()).map(PgState.ReplicaConnection::replayLagSeconds)
                .filter(s -> s >= 0);
        Optional<Double> fromRecord = m.replayLagSeconds() >= 0 ? Optional.of(m.replayLagSeconds()) : Optional.empty();
        return larger(fromPrimary, fromRecord);
    }

    /** True when the local primary has a WAL sender streaming to {@code member}. */
    boolean streamingOnPrimary(String member) {
        return connection(member).map(rc -> "streaming".equals(rc.state())).orElse(false);
    }

    private Optional<PgState.ReplicaConnection> connection(String member) {
        if (primary == null) {
            return Optional.empty();
        }
        return primary.replicas().stream().filter(rc -> member.equals(rc.applicationName())).findFirst();
    }

    private static Optional<Double> larger(Optional<Double> a, Optional<Double> b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : Optional.of(Math.max(a.get(), b.get()));
    }
}
