package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.ClusterStatus;
import io.meridian.core.cluster.Leader;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.cluster.Role;
import io.meridian.core.config.DynamicConfig;
import java.util.List;
import java.util.Map;

/** Cluster records for view and check tests: a three-region cluster led by paris-1. */
final class Clusters {

    static final Lsn LEADER_LSN = Lsn.parse("0/5000000");

    private Clusters() {
    }

    static Member primary(String name, String region, long tl) {
        return new Member(name, region, Role.PRIMARY, "running", tl, LEADER_LSN, Lsn.ZERO, Lsn.ZERO, null, -1,
                "127.0.0.1", 5432, "http://127.0.0.1:8008", MemberTags.DEFAULT, 0);
    }

    static Member replica(String name, String region, long tl, long bytesBehind, String replication) {
        Lsn at = new Lsn(LEADER_LSN.value() - bytesBehind);
        return new Member(name, region, Role.REPLICA, "running", tl, Lsn.ZERO, at, at, replication, 0.5,
                "127.0.0.1", 5433, "http://127.0.0.1:8009", MemberTags.DEFAULT, 0);
    }

    static Member withTags(Member m, MemberTags tags) {
        return new Member(m.name(), m.region(), m.role(), m.state(), m.timeline(), m.writeLsn(), m.receiveLsn(),
                m.replayLsn(), m.replicationState(), m.replayLagSeconds(), m.host(), m.port(), m.apiUrl(), tags,
                m.updatedAtMillis());
    }

    static Cluster cluster(String leader, DynamicConfig config, Member... members) {
        return new Cluster("lab", 10, "7240434620286377512", config, 3, leader == null ? null : new Leader(leader, 9, 1),
                List.of(members), new ClusterStatus(LEADER_LSN, 1, Map.of("newyork_1", Lsn.parse("0/4000000"))),
                null, 0, null, 0, List.of());
    }

    static Cluster threeRegions() {
        return cluster("paris-1", DynamicConfig.DEFAULTS,
                primary("paris-1", "paris", 1),
                replica("newyork-1", "newyork", 1, 0, "streaming"),
                replica("tokyo-1", "tokyo", 1, 3 * 1024 * 1024, "streaming"));
    }
}
