package io.meridian.agent.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Leader;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.cluster.SyncState;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.postgres.PgState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The health paths Patroni added (tags, standby-leader, quorum, read-only-sync), on fixed inputs. */
class PatroniHealthTest {

    private static final PgState PRIMARY = new PgState(true, false, 2, new Lsn(100), Lsn.ZERO, Lsn.ZERO, false, null,
            0, false, "1", List.of(), List.of(), 100);
    private static final PgState REPLICA = new PgState(true, true, 2, Lsn.ZERO, new Lsn(100), new Lsn(100), true,
            "127.0.0.1", 0, false, "1", List.of(), List.of(), 0);

    private static Cluster cluster(List<String> sync) {
        return new Cluster("c", 1, "1", DynamicConfig.DEFAULTS, 1, new Leader("p", 1, 0), List.of(), null, null, 0,
                new SyncState("p", sync, sync.size()), 1, List.of());
    }

    private static int status(String path, Map<String, String> q, String me, PgState pg, MemberTags tags) {
        return HealthCheck.status(path, q, cluster(List.of("s")), me, pg, 0, tags);
    }

    @Test
    void aTagFilterPassesOnlyWhenEveryTagIsSetToThatValue() {
        MemberTags noFailover = new MemberTags(true, 1, false);
        assertThat(HealthCheck.tagsMatch(Map.of("tag_nofailover", "true"), noFailover)).isTrue();
        assertThat(HealthCheck.tagsMatch(Map.of("tag_nofailover", "True"), noFailover)).isFalse();
        assertThat(HealthCheck.tagsMatch(Map.of("tag_nofailover", "true", "tag_noloadbalance", "true"), noFailover)).isFalse();
        assertThat(HealthCheck.tagsMatch(Map.of("tag_failover_priority", "3"), new MemberTags(false, 3, false))).isTrue();
        assertThat(HealthCheck.tagsMatch(Map.of("lag", "1MB"), noFailover)).isTrue();
        // As Patroni 3.0.2 answered: a false boolean tag is no tag, so asking for it fails.
        assertThat(HealthCheck.tagsMatch(Map.of("tag_nofailover", "false"), MemberTags.DEFAULT)).isFalse();
        assertThat(HealthCheck.tagsMatch(Map.of("tag_foo", "bar"), MemberTags.DEFAULT)).isFalse();
    }

    @Test
    void tagsFilterReplicaChecksButNeverTheLeaderChecks() {
        MemberTags tags = new MemberTags(true, 1, false);
        assertThat(status("/replica", Map.of("tag_nofailover", "true"), "r", REPLICA, tags)).isEqualTo(200);
        assertThat(status("/replica", Map.of("tag_foo", "bar"), "r", REPLICA, tags)).isEqualTo(503);
        assertThat(status("/health", Map.of("tag_foo", "bar"), "r", REPLICA, tags)).isEqualTo(503);
        assertThat(status("/read-only", Map.of("tag_foo", "bar"), "p", PRIMARY, tags)).isEqualTo(503);
        assertThat(status("/primary", Map.of("tag_foo", "bar"), "p", PRIMARY, tags)).isEqualTo(200);
        assertThat(status("/leader", Map.of("tag_foo", "bar"), "p", PRIMARY, tags)).isEqualTo(200);
        assertThat(status("/", Map.of("tag_foo", "bar"), "p", PRIMARY, tags)).isEqualTo(200);
    }

    @Test
    void quorumAndReadOnlySyncAnswerForTheSynchronousSetAndTheLeader() {
        MemberTags t = MemberTags.DEFAULT;
        assertThat(status("/quorum", Map.of(), "s", REPLICA, t)).isEqualTo(200);
        assertThat(status("/quorum", Map.of(), "a", REPLICA, t)).isEqualTo(503);
        assertThat(status("/quorum", Map.of(), "p", PRIMARY, t)).isEqualTo(503);
        assertThat(status("/read-only-sync", Map.of(), "p", PRIMARY, t)).isEqualTo(200);
        assertThat(status("/read-only-sync", Map.of(), "s", REPLICA, t)).isEqualTo(200);
        assertThat(status("/read-only-synchronous", Map.of(), "a", REPLICA, t)).isEqualTo(503);
        assertThat(status("/read-only-quorum", Map.of(), "s", REPLICA, t)).isEqualTo(200);
        // Patroni's replica conditions: a noloadbalance standby is out of the read pools.
        assertThat(status("/read-only-sync", Map.of(), "s", REPLICA, new MemberTags(false, 1, true))).isEqualTo(503);
        assertThat(status("/read-only-sync", Map.of("tag_foo", "bar"), "s", REPLICA, t)).isEqualTo(503);
    }

    @Test
    void noNodeIsEverAStandbyLeaderWithoutStandbyClusters() {
        assertThat(status("/standby-leader", Map.of(), "p", PRIMARY, MemberTags.DEFAULT)).isEqualTo(503);
        assertThat(status("/standby_leader", Map.of(), "s", REPLICA, MemberTags.DEFAULT)).isEqualTo(503);
    }
}
