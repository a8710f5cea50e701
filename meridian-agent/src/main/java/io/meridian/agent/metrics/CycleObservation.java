package io.meridian.agent.metrics;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
import io.meridian.core.postgres.PgState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one HA cycle saw, reduced to the numbers {@link AgentMetrics} exports. Built once per cycle
 * and swapped in whole, so one scrape never mixes two cycles. NaN means "unknown, do not export".
 */
record CycleObservation(
        Role role,
        boolean postgresUp,
        long timeline,
        PgState local,
        double replicaLagBytes,
        double walRateBytesPerSecond,
        double leaseRemainingSeconds,
        List<StandbyLink> standbys,
        boolean leaderPresent,
        int membersUp,
        int membersStreaming,
        int syncQuorum,
        int syncStandbys,
        int syncStandbysStreaming) {

    static final CycleObservation NONE = new CycleObservation(Role.UNKNOWN, false, 0, PgState.STOPPED,
            Double.NaN, Double.NaN, Double.NaN, List.of(), false, 0, 0, 0, 0, 0);

    /**
     * One standby as the primary sees it in {@code pg_stat_replication}. Lags are indexed by stage:
     * 0 write, 1 flush, 2 replay.
     */
    record StandbyLink(String name, String region, double[] lagBytes, double[] lagSeconds, long flushedBytes,
                       double rateBytesPerSecond) {
    }

    static final String[] STAGES = {"write", "flush", "replay"};

    static CycleObservation of(Cluster cluster, PgState local, double leaseRemainingSeconds, ByteRates rates,
                               long nowMillis) {
        Role role = !local.running() ? Role.UNKNOWN : local.inRecovery() ? Role.REPLICA : Role.PRIMARY;
        double walRate = Double.NaN;
        List<StandbyLink> standbys = new ArrayList<>();
        Set<String> rateKeys = new HashSet<>();
        if (role == Role.PRIMARY) {
            rateKeys.add("wal");
            walRate = rates.observe("wal", local.walBytesTotal(), nowMillis);
            for (PgState.ReplicaConnection rc : local.replicas()) {
                String name = rc.applicationName();
                rateKeys.add("standby:" + name);
                double rate = rates.observe("standby:" + name, rc.flushLsn().value(), nowMillis);
                standbys.add(link(cluster, local.writeLsn(), rc, rate));
            }
        }
        rates.retain(rateKeys);
        return new CycleObservation(role, local.running(), local.timeline(), local,
                role == Role.REPLICA ? replicaLagBytes(cluster, local) : Double.NaN,
                walRate, leaseRemainingSeconds, List.copyOf(standbys),
                cluster.hasLeader(), cluster.members().size(),
                (int) cluster.members().stream().filter(Member::isStreaming).count(),
                cluster.sync().quorum(), cluster.sync().members().size(),
                (int) cluster.sync().members().stream()
                        .filter(n -> cluster.member(n).map(Member::isStreaming).orElse(false)).count());
    }

    private static StandbyLink link(Cluster cluster, Lsn primaryLsn, PgState.ReplicaConnection rc, double rate) {
        String region = cluster.member(rc.applicationName()).map(Member::region).orElse("unknown");
        Lsn[] positions = {rc.writeLsn(), rc.flushLsn(), rc.replayLsn()};
        double[] seconds = {rc.writeLagSeconds(), rc.flushLagSeconds(), rc.replayLagSeconds()};
        double[] lagBytes = new double[3];
        double[] lagSeconds = new double[3];
        for (int i = 0; i < 3; i++) {
            lagBytes[i] = primaryLsn.bytesAfter(positions[i]);
            // pg_stat_replication turns the *_lag columns NULL once a standby has caught up and the
            // primary is idle: that is a lag of zero, but NULL while bytes are missing is unknown.
            lagSeconds[i] = seconds[i] >= 0 ? seconds[i] : lagBytes[i] == 0 ? 0 : Double.NaN;
        }
        return new StandbyLink(rc.applicationName(), region, lagBytes, lagSeconds, rc.flushLsn().value(), rate);
    }

    /**
     * The standby's own estimate: the leader's last published position minus what it replayed. The
     * leader republishes every loop_wait, so this lags the truth by up to one loop; the primary's view
     * in {@link StandbyLink} is the fresh one.
     */
    private static double replicaLagBytes(Cluster cluster, PgState local) {
        Lsn leaderLsn = cluster.leaderMember().map(Member::writeLsn).filter(l -> l.value() != 0)
                .orElse(cluster.status().leaderLsn());
        return leaderLsn.value() == 0 ? Double.NaN : leaderLsn.bytesAfter(local.replayLsn());
    }
}
