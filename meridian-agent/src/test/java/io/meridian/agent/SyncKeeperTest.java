package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.cluster.Role;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.core.postgres.PgState;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyncKeeperTest {

    @Test
    void rendersQuorumOverQuotedMemberNames() {
        assertThat(SyncKeeper.render(List.of("newyork-1", "tokyo-1"), 1, false)).isEqualTo("ANY 1 (\"newyork-1\", \"tokyo-1\")");
    }

    @Test
    void noStandbyMeansAsyncUnlessStrict() {
        assertThat(SyncKeeper.render(List.of(), 0, false)).isEmpty();
        assertThat(SyncKeeper.render(List.of(), 1, true)).isEqualTo("ANY 1 (\"" + SyncKeeper.NOBODY + "\")");
    }

    // newyork-1 has just been promoted after paris was lost; paris-1's member record still says it
    // runs as a replica until its lease ends, tokyo-1 is alive and re-pointing, newyork-2 streams.
    private static final DynamicConfig REGION_QUORUM = DynamicConfigParser.parse("test", "synchronous_mode: region_quorum\n");
    private static final DynamicConfig QUORUM = DynamicConfigParser.parse("test", "synchronous_mode: quorum\n");
    private static final Cluster AFTER_PARIS_LOST = new Cluster("test", 1, "1", REGION_QUORUM, 0, null, List.of(
            replica("paris-1", "paris"), replica("tokyo-1", "tokyo"), replica("newyork-2", "newyork"),
            new Member("newyork-1", "newyork", Role.PRIMARY, "running", 2, Lsn.ZERO, null, null, null, 0,
                    "127.0.0.1", 5432, null, MemberTags.DEFAULT, 0)), null, null, 0, null, 0, List.of());
    private static final PgState NEWYORK_2_STREAMS = new PgState(true, false, 2, Lsn.ZERO, Lsn.ZERO, Lsn.ZERO, false, null, 0,
            false, null, List.of(new PgState.ReplicaConnection("newyork-2", "127.0.0.1", "streaming", Lsn.ZERO, Lsn.ZERO,
                    Lsn.ZERO, Lsn.ZERO, 0, 0, 0, null)), List.of(), 0);

    private static Member replica(String name, String region) {
        return new Member(name, region, Role.REPLICA, "running", 1, Lsn.ZERO, Lsn.ZERO, Lsn.ZERO, "streaming", 0,
                "127.0.0.1", 5432, null, MemberTags.DEFAULT, 0);
    }

    private static List<String> set(DynamicConfig cfg, SyncKeeper.Expecting expecting) {
        return SyncKeeper.candidates(AFTER_PARIS_LOST, NEWYORK_2_STREAMS, cfg, "newyork-1", "newyork", expecting);
    }

    @Test
    void justPromotedAfterARaceExpectsBackOnlyTheStandbysThatAnsweredIt() {
        assertThat(set(REGION_QUORUM, SyncKeeper.Expecting.of(Set.of("tokyo-1", "newyork-2")))).containsExactly("tokyo-1");
        assertThat(set(QUORUM, SyncKeeper.Expecting.of(Set.of("tokyo-1", "newyork-2")))).containsExactly("tokyo-1", "newyork-2");
    }

    @Test
    void justPromotedWithoutARaceTrustsTheMemberRecords() {
        assertThat(set(REGION_QUORUM, SyncKeeper.Expecting.of(null))).containsExactly("paris-1", "tokyo-1");
    }

    @Test
    void pastThePromotionOnlyStreamingStandbysCount() {
        assertThat(set(REGION_QUORUM, null)).isEmpty();
        assertThat(set(QUORUM, null)).containsExactly("newyork-2");
    }
}
