package io.meridian.agent.metrics;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.ClusterStatus;
import io.meridian.core.cluster.Leader;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
import io.meridian.core.cluster.SyncState;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.postgres.PgState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/** Records for a three-region cluster: paris-1 leads, newyork-1 and tokyo-1 follow. */
final class ClusterFixtures {

    static final long MIB = 1024L * 1024;

    private ClusterFixtures() {
    }

    static Member primary(String name, String region, long writeLsn) {
        return new Member(name, region, Role.PRIMARY, "running", 3, new Lsn(writeLsn), Lsn.ZERO, Lsn.ZERO, null, -1,
                "127.0.0.1", 5432, "http://127.0.0.1:8008", null, 0);
    }

    static Member replica(String name, String region, long replayLsn, boolean streaming, double lagSeconds) {
        return new Member(name, region, Role.REPLICA, "running", 3, Lsn.ZERO, new Lsn(replayLsn), new Lsn(replayLsn),
                streaming ? "streaming" : null, lagSeconds, "127.0.0.1", 5433, "http://127.0.0.1:8009", null, 0);
    }

    static Cluster cluster(String leader, List<Member> members, SyncState sync, List<TimelineEvent> history) {
        return new Cluster("geo", 42, "7300000000000000001", null, 1,
                leader == null ? null : new Leader(leader, 40, 7), members,
                new ClusterStatus(Lsn.ZERO, 3, Map.of()), null, 0, sync, 1, history);
    }

    /** paris-1 at 1 GiB, newyork-1 200 MiB behind and streaming, tokyo-1 5 MiB behind and streaming. */
    static Cluster threeRegions() {
        long head = 1024 * MIB;
        return cluster("paris-1", List.of(primary("paris-1", "paris", head),
                replica("newyork-1", "newyork", head - 200 * MIB, true, 12),
                replica("tokyo-1", "tokyo", head - 5 * MIB, true, 0.4)), SyncState.EMPTY, List.of());
    }

    static PgState.ReplicaConnection connection(String name, long primaryLsn, long behind, double replayLagSeconds) {
        Lsn at = new Lsn(primaryLsn - behind);
        return new PgState.ReplicaConnection(name, "127.0.0.1", "streaming", new Lsn(primaryLsn), at, at, at,
                0.01, 0.02, replayLagSeconds, "async");
    }

    static PgState primaryState(long writeLsn, List<PgState.ReplicaConnection> replicas, List<PgState.SlotInfo> slots) {
        return new PgState(true, false, 3, new Lsn(writeLsn), Lsn.ZERO, Lsn.ZERO, false, null, -1, false,
                "7300000000000000001", replicas, slots, writeLsn);
    }

    static PgState replicaState(long receiveLsn, long replayLsn, boolean streaming, double replayLagSeconds) {
        return new PgState(true, true, 3, Lsn.ZERO, new Lsn(receiveLsn), new Lsn(replayLsn), streaming, "127.0.0.1",
                replayLagSeconds, false, "7300000000000000001", List.of(), List.of(), 0);
    }

    static PgState.SlotInfo slot(String name, boolean active, long retained) {
        return new PgState.SlotInfo(name, true, active, new Lsn(1), retained, "reserved");
    }

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private Instant now;

        ManualClock(Instant start) {
            this.now = start;
        }

        void advanceMillis(long millis) {
            now = now.plusMillis(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
