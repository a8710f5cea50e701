package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
import io.meridian.core.dcs.EtcdView;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The placement decision as a table of named cases; the transfer itself runs in EtcdLeaderPlacementIT. */
class EtcdLeaderPlacementTest {

    private static final long PARIS = 0x8e9e05c52164694dL;
    private static final long NEWYORK = 0x91bc3c398fb3c146L;
    private static final long TOKYO = 0xfd422379fda50e48L;
    private static final long PARIS_2 = 0x2a1b3c4d5e6f7081L;
    private static final List<EtcdView.Member> THREE = List.of(
            new EtcdView.Member(PARIS, "paris", false),
            new EtcdView.Member(NEWYORK, "newyork", false),
            new EtcdView.Member(TOKYO, "tokyo", false));
    /** Which agents talk to which etcd member, as their member records say. */
    private static final Map<String, Set<String>> USED = Map.of(
            EtcdView.hex(PARIS), Set.of("paris"),
            EtcdView.hex(NEWYORK), Set.of("newyork"),
            EtcdView.hex(TOKYO), Set.of("tokyo"));

    private static EtcdLeaderPlacement.Decision decide(long leader, long serving, List<EtcdView.Member> members,
                                                       Map<String, Set<String>> used, List<String> priority) {
        return EtcdLeaderPlacement.decide(new EtcdView(leader, serving, members), "paris", used, priority);
    }

    @Test
    void p01_etcdLeaderInMyRegionMovesToTheFirstRegionOfRegionPriority() {
        var d = decide(PARIS, PARIS, THREE, USED, List.of("paris", "tokyo", "newyork"));
        assertThat(d.move()).isTrue();
        assertThat(d.transferee()).isEqualTo(TOKYO);
        assertThat(d.reason()).contains("my region paris");
    }

    @Test
    void p02_withoutRegionPriorityTheNameDecides() {
        assertThat(decide(PARIS, PARIS, THREE, USED, List.of()).transferee()).isEqualTo(NEWYORK);
    }

    @Test
    void p03_etcdLeaderElsewhereStaysWhereItIs() {
        var d = decide(NEWYORK, PARIS, THREE, USED, List.of());
        assertThat(d.move()).isFalse();
        assertThat(d.reason()).contains("outside region paris");
    }

    @Test
    void p04_noEtcdLeaderNoMove() {
        assertThat(decide(0, PARIS, THREE, USED, List.of()).move()).isFalse();
    }

    @Test
    void p05_theMemberITalkToIsNotMineByThat() {
        // After its own member stopped answering, this agent talks to tokyo's: tokyo is not paris.
        var d = decide(TOKYO, TOKYO, THREE, USED, List.of());
        assertThat(d.move()).isFalse();
        assertThat(d.reason()).contains("outside region paris");
        // Its own region's member leads: it moves, whichever member this agent talks to.
        assertThat(decide(PARIS, TOKYO, THREE, USED, List.of()).transferee()).isEqualTo(NEWYORK);
    }

    @Test
    void p05b_noAgentReportsAnyMemberYet() {
        assertThat(decide(PARIS, PARIS, THREE, Map.of(), List.of()).reason()).contains("outside region paris");
    }

    @Test
    void p06_anotherMemberOfMyRegionIsNeverTheTransferee() {
        List<EtcdView.Member> five = List.of(THREE.get(0), new EtcdView.Member(PARIS_2, "paris-b", false), THREE.get(1),
                THREE.get(2));
        Map<String, Set<String>> used = Map.of(EtcdView.hex(PARIS), Set.of("paris"), EtcdView.hex(PARIS_2), Set.of("paris"),
                EtcdView.hex(NEWYORK), Set.of("newyork"), EtcdView.hex(TOKYO), Set.of("tokyo"));
        assertThat(decide(PARIS, PARIS, five, used, List.of()).transferee()).isEqualTo(NEWYORK);
    }

    @Test
    void p07_anyMemberOfMyRegionLeadingMovesOutOfIt() {
        List<EtcdView.Member> four = List.of(THREE.get(0), new EtcdView.Member(PARIS_2, "paris-b", false), THREE.get(1));
        Map<String, Set<String>> used = Map.of(EtcdView.hex(PARIS), Set.of("paris"), EtcdView.hex(PARIS_2), Set.of("paris"));
        assertThat(decide(PARIS_2, PARIS, four, used, List.of()).transferee()).isEqualTo(NEWYORK);
    }

    @Test
    void p08_learnersAndMembersOfUnknownRegionComeLastOrNot() {
        List<EtcdView.Member> members = List.of(THREE.get(0), new EtcdView.Member(NEWYORK, "newyork", true),
                new EtcdView.Member(TOKYO, "a-unknown", false));
        // newyork is a learner (cannot lead); tokyo's member has no agent reporting it: still eligible.
        assertThat(decide(PARIS, PARIS, members, Map.of(EtcdView.hex(PARIS), Set.of("paris")), List.of()).transferee())
                .isEqualTo(TOKYO);
    }

    @Test
    void p09_aSingleMemberEtcdHasNowhereToGo() {
        var d = decide(PARIS, PARIS, List.of(THREE.get(0)), USED, List.of());
        assertThat(d.move()).isFalse();
        assertThat(d.reason()).contains("no voting etcd member outside it");
    }

    @Test
    void agentsPublishTheirEtcdMember() {
        Member a = member("paris-1", "paris", EtcdView.hex(PARIS));
        Member b = member("newyork-1", "newyork", EtcdView.hex(NEWYORK));
        Member c = member("newyork-2", "newyork", null);
        assertThat(EtcdLeaderPlacement.etcdRegions(List.of(a, b, c)))
                .containsOnly(Map.entry(EtcdView.hex(PARIS), Set.of("paris")), Map.entry(EtcdView.hex(NEWYORK), Set.of("newyork")));
    }

    private static Member member(String name, String region, String etcd) {
        return new Member(name, region, Role.REPLICA, "running", 1, null, null, null, null, 0, "127.0.0.1", 5432,
                null, null, 0, etcd);
    }
}
