package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.ClusterStatus;
import io.meridian.core.cluster.Leader;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.cluster.Role;
import io.meridian.core.cluster.SyncState;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The REST API's early refusal of a switchover candidate applies the race's rule (PromotionRule). */
class SwitchoverRefusalTest {

    private static final Lsn AT = Lsn.parse("0/5000000");

    private static Member member(String name, Role role, long timeline, MemberTags tags) {
        return new Member(name, "paris", role, "running", timeline, role == Role.PRIMARY ? AT : Lsn.ZERO,
                role == Role.PRIMARY ? Lsn.ZERO : AT, role == Role.PRIMARY ? Lsn.ZERO : AT, "streaming", 0,
                "127.0.0.1", 5432, "http://127.0.0.1:8008", tags, 0);
    }

    private static Cluster cluster(DynamicConfig cfg, SyncState sync, MemberTags candidateTags) {
        return new Cluster("lab", 1, "1", cfg, 1, new Leader("paris-1", 1, 1),
                List.of(member("paris-1", Role.PRIMARY, 1, MemberTags.DEFAULT), member("paris-2", Role.REPLICA, 1, candidateTags)),
                new ClusterStatus(AT, 1, Map.of()), null, 0, sync, 0, List.of());
    }

    private static NodeStatus fresh(long timeline, Lsn received, String replication) {
        return new NodeStatus("paris-2", "paris", "replica", "running", timeline, true, Lsn.ZERO, received, received,
                replication, true, 0, false, 1, "1", false, null, 0, MemberTags.DEFAULT);
    }

    private static final Cluster PLAIN = cluster(DynamicConfig.DEFAULTS, null, MemberTags.DEFAULT);

    @Test
    void aStreamingStandbyAtTheLeadersPositionMayTakeOver() {
        assertThat(Switchover.refusal(PLAIN, "paris-2", fresh(1, AT, "streaming"))).isNull();
    }

    @Test
    void theRefusalsKeepTheirWords() {
        assertThat(Switchover.refusal(PLAIN, "paris-2", null)).isEqualTo("paris-2's agent does not answer");
        assertThat(Switchover.refusal(PLAIN, "paris-2", fresh(1, AT, null))).isEqualTo("paris-2 is not streaming from the leader");
        assertThat(Switchover.refusal(PLAIN, "paris-2", fresh(1, new Lsn(AT.value() - 2 * 1024 * 1024), "streaming")))
                .isEqualTo("paris-2 lags 2097152 bytes behind the leader (maximum_lag_on_failover 1048576)");
        assertThat(Switchover.refusal(cluster(DynamicConfig.DEFAULTS, null, new MemberTags(true, 1, false)), "paris-2",
                fresh(1, AT, "streaming"))).isEqualTo("paris-2 is tagged nofailover");
        assertThat(Switchover.refusal(PLAIN, "paris-1", null)).isEqualTo("paris-1 is already the leader");
        assertThat(Switchover.refusal(PLAIN, "lima-1", null)).isEqualTo("lima-1 is not a member of the cluster");
    }

    @Test
    void anotherTimelineOrOutsideTheSyncSetIsRefusedAsTheRaceWould() {
        assertThat(Switchover.refusal(PLAIN, "paris-2", fresh(2, AT, "streaming")))
                .isEqualTo("paris-2: on timeline 2, the cluster is on 1");
        DynamicConfig quorum = DynamicConfigParser.merge("test", DynamicConfig.DEFAULTS, "{\"synchronous_mode\": \"quorum\"}");
        assertThat(Switchover.refusal(cluster(quorum, new SyncState("paris-1", List.of("paris-3"), 1), MemberTags.DEFAULT),
                "paris-2", fresh(1, AT, "streaming"))).isEqualTo("paris-2: not in the synchronous set [paris-3]");
        // An empty /sync: the leader had fallen back to async, no set to honour.
        assertThat(Switchover.refusal(cluster(quorum, new SyncState("paris-1", List.of(), 1), MemberTags.DEFAULT),
                "paris-2", fresh(1, AT, "streaming"))).isNull();
    }
}
