package io.meridian.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.console.CliException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SwitchoverCheckTest {

    private static final DynamicConfig CONFIG = DynamicConfig.DEFAULTS; // maximum_lag_on_failover 1 MB

    @Test
    void aStreamingReplicaWithinTheLagLimitMayTakeOver() {
        assertThat(SwitchoverCheck.refusal(Clusters.threeRegions(), "newyork-1")).isEmpty();
    }

    @Test
    void aReplicaBeyondMaximumLagIsRefusedWithBothFigures() {
        assertThat(SwitchoverCheck.refusal(Clusters.threeRegions(), "tokyo-1")).hasValue(
                "tokyo-1 is 3.0 MB behind the leader, more than maximum_lag_on_failover (1.0 MB)");
    }

    @Test
    void aReplicaThatIsNotStreamingIsRefused() {
        var c = Clusters.cluster("paris-1", CONFIG, Clusters.primary("paris-1", "paris", 1),
                Clusters.replica("newyork-1", "newyork", 1, 0, "catchup"));
        assertThat(SwitchoverCheck.refusal(c, "newyork-1")).hasValue(
                "newyork-1 is not streaming from the leader (replication state catchup)");
    }

    @Test
    void theLeaderAnUnknownNodeAndANofailoverNodeAreRefused() {
        Member tagged = Clusters.withTags(Clusters.replica("newyork-1", "newyork", 1, 0, "streaming"),
                new MemberTags(true, 1, false));
        var c = Clusters.cluster("paris-1", CONFIG, Clusters.primary("paris-1", "paris", 1), tagged);
        assertThat(SwitchoverCheck.refusal(c, "paris-1")).hasValue("paris-1 is already the leader");
        assertThat(SwitchoverCheck.refusal(c, "lima-1")).hasValue("no member named 'lima-1' is alive (members: paris-1, newyork-1)");
        assertThat(SwitchoverCheck.refusal(c, "newyork-1")).hasValue("newyork-1 is tagged nofailover (or failover_priority 0)");
    }

    @Test
    void anotherTimelineIsRefused() {
        var c = Clusters.cluster("paris-1", CONFIG, Clusters.primary("paris-1", "paris", 2),
                Clusters.replica("newyork-1", "newyork", 1, 0, "streaming"));
        assertThat(SwitchoverCheck.refusal(c, "newyork-1")).hasValue("newyork-1 is on timeline 1, the leader on 2");
    }

    @Test
    void withoutACandidateTheMostAdvancedEligibleMemberIsChosen() {
        assertThat(SwitchoverCommand.chooseCandidate(Clusters.threeRegions(), null)).isEqualTo("newyork-1");
        assertThatThrownBy(() -> SwitchoverCommand.chooseCandidate(Clusters.threeRegions(), "tokyo-1"))
                .isInstanceOf(CliException.class).hasMessageStartingWith("switchover refused: tokyo-1 is 3.0 MB behind");
    }

    @Test
    void withoutACandidateTheLeaderRanksAsTheAgentDoes() {
        // Equal positions: the agent prefers the leader's own region, then region_priority, then
        // failover_priority; the CLI used to take the first name.
        var c = Clusters.cluster("paris-1", CONFIG, Clusters.primary("paris-1", "paris", 1),
                Clusters.replica("newyork-1", "newyork", 1, 0, "streaming"),
                Clusters.replica("paris-2", "paris", 1, 0, "streaming"));
        assertThat(SwitchoverCommand.chooseCandidate(c, null)).isEqualTo("paris-2");
        var prioritised = Clusters.cluster("paris-1", CONFIG, Clusters.primary("paris-1", "paris", 1),
                Clusters.replica("newyork-1", "newyork", 1, 0, "streaming"),
                Clusters.withTags(Clusters.replica("tokyo-1", "tokyo", 1, 0, "streaming"), new MemberTags(false, 5, false)));
        assertThat(SwitchoverCommand.chooseCandidate(prioritised, null)).isEqualTo("tokyo-1");
    }

    @Test
    void aReplicaThatIsNotAStandbyIsRefused() {
        var c = Clusters.cluster("paris-1", CONFIG, Clusters.primary("paris-1", "paris", 1),
                Clusters.primary("newyork-1", "newyork", 1));
        assertThat(SwitchoverCheck.refusal(c, "newyork-1")).hasValue("newyork-1 is not a standby (role Leader)");
    }

    @Test
    void withoutALeaderAReplicaThatStreamedUntilItWentMissingMayTakeOverAndOneThatHadStoppedMayNot() {
        var c = Clusters.cluster(null, CONFIG, Clusters.replica("newyork-1", "newyork", 1, 0, "reconnecting"),
                Clusters.replica("tokyo-1", "tokyo", 1, 0, "stopped"));
        assertThat(SwitchoverCheck.refusal(c, "newyork-1")).isEmpty();
        assertThat(SwitchoverCheck.refusal(c, "tokyo-1")).hasValue(
                "tokyo-1 is not streaming from the leader (replication state stopped)");
    }

    @Test
    void noEligibleMemberGivesEveryReason() {
        var c = Clusters.cluster("paris-1", CONFIG, Clusters.primary("paris-1", "paris", 1),
                Clusters.replica("tokyo-1", "tokyo", 1, 5 << 20, "streaming"));
        assertThatThrownBy(() -> SwitchoverCommand.chooseCandidate(c, null)).hasMessage(
                "switchover refused: no member can take over; tokyo-1 is 5.0 MB behind the leader, more than maximum_lag_on_failover (1.0 MB)");
    }

    @Test
    void scheduledTimesMustBeIsoAndInTheFuture() {
        Instant now = Instant.parse("2026-05-01T00:00:00Z");
        assertThat(SwitchoverCommand.parseScheduled(null, now)).isZero();
        assertThat(SwitchoverCommand.parseScheduled("2026-05-01T03:00:00Z", now)).isEqualTo(Instant.parse("2026-05-01T03:00:00Z").toEpochMilli());
        assertThatThrownBy(() -> SwitchoverCommand.parseScheduled("tomorrow", now)).hasMessageStartingWith("--scheduled: expected an ISO-8601 time");
        assertThatThrownBy(() -> SwitchoverCommand.parseScheduled("2026-04-30T00:00:00Z", now)).hasMessageEndingWith("is in the past");
    }
}
