package io.meridian.core.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.failover.PromotionRule.Lag;
import io.meridian.core.failover.PromotionRule.Reason;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * "May this member be promoted?" as a table: the race, the leader's switchover, the REST API and
 * the CLI all ask this one rule. Each row: a candidate, the context, the lag rule, and the first
 * rule it breaks (null: it may be promoted).
 */
class PromotionRuleTest {

    private static final long MB = 1024 * 1024;
    private static final long AT = 100 * MB;

    /** Healthy: reachable, running standby on timeline 1, streaming, at the leader's position. */
    private static Candidate ok() {
        return new Candidate("a", "paris", MemberTags.DEFAULT, true, true, 1, new Lsn(AT), true, true);
    }

    private static Candidate with(boolean running, boolean inRecovery, long timeline, long lsn, boolean replicating,
                                  boolean reachable, MemberTags tags) {
        return new Candidate("a", "paris", tags, running, inRecovery, timeline, new Lsn(lsn), replicating, reachable);
    }

    private static FailoverContext ctx(Set<String> sync) {
        return new FailoverContext(new Lsn(AT), 1, MB, 0, "paris", java.util.List.of(), sync);
    }

    record Row(String name, Candidate candidate, FailoverContext ctx, Lag lag, Reason refused, String words) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> table() {
        MemberTags nofailover = new MemberTags(true, 1, false);
        MemberTags priorityZero = new MemberTags(false, 0, false);
        return Stream.of(
                new Row("01 streaming standby at the leader's position may be promoted", ok(), ctx(null), Lag.CHECKED, null, null),
                new Row("02 agent did not answer", with(true, true, 1, AT, true, false, MemberTags.DEFAULT), ctx(null), Lag.CHECKED,
                        Reason.UNREACHABLE, "its agent did not answer"),
                new Row("03 PostgreSQL not running", with(false, true, 1, AT, true, true, MemberTags.DEFAULT), ctx(null), Lag.CHECKED,
                        Reason.NOT_RUNNING, "not running"),
                new Row("04 a primary is not a candidate", with(true, false, 1, AT, true, true, MemberTags.DEFAULT), ctx(null), Lag.CHECKED,
                        Reason.NOT_STANDBY, "not a standby"),
                new Row("05 tagged nofailover", with(true, true, 1, AT, true, true, nofailover), ctx(null), Lag.CHECKED,
                        Reason.NOFAILOVER, "nofailover"),
                new Row("06 failover_priority 0", with(true, true, 1, AT, true, true, priorityZero), ctx(null), Lag.CHECKED,
                        Reason.PRIORITY_ZERO, "failover_priority is 0"),
                new Row("07 another timeline", with(true, true, 2, AT, true, true, MemberTags.DEFAULT), ctx(null), Lag.CHECKED,
                        Reason.OTHER_TIMELINE, "on timeline 2, the cluster is on 1"),
                new Row("08 not streaming", with(true, true, 1, AT, false, true, MemberTags.DEFAULT), ctx(null), Lag.CHECKED,
                        Reason.NOT_STREAMING, "not streaming"),
                new Row("09 outside the synchronous set", ok(), ctx(Set.of("b")), Lag.CHECKED,
                        Reason.NOT_IN_SYNC_SET, "not in the synchronous set [b]"),
                new Row("10 in the synchronous set", ok(), ctx(Set.of("a")), Lag.CHECKED, null, null),
                new Row("11 beyond maximum_lag_on_failover", with(true, true, 1, AT - 2 * MB, true, true, MemberTags.DEFAULT), ctx(null),
                        Lag.CHECKED, Reason.TOO_FAR_BEHIND, "2097152 bytes behind the last leader position (maximum_lag_on_failover 1048576)"),
                new Row("12 exactly at maximum_lag_on_failover", with(true, true, 1, AT - MB, true, true, MemberTags.DEFAULT), ctx(null),
                        Lag.CHECKED, null, null),
                new Row("13 a switchover's named candidate: lag ignored", with(true, true, 1, AT - 2 * MB, true, true, MemberTags.DEFAULT),
                        ctx(null), Lag.IGNORED, null, null),
                new Row("14 lag ignored, but never another timeline", with(true, true, 2, AT - 2 * MB, true, true, MemberTags.DEFAULT),
                        ctx(null), Lag.IGNORED, Reason.OTHER_TIMELINE, "timeline 2"),
                new Row("15 the first broken rule is the answer: unreachable before nofailover",
                        with(true, true, 1, AT, true, false, nofailover), ctx(null), Lag.CHECKED, Reason.UNREACHABLE, null),
                new Row("16 the sync set comes before lag", with(true, true, 1, AT - 2 * MB, true, true, MemberTags.DEFAULT),
                        ctx(Set.of("b")), Lag.CHECKED, Reason.NOT_IN_SYNC_SET, null),
                new Row("17 ahead of the leader's last position (it kept writing): allowed",
                        with(true, true, 1, AT + MB, true, true, MemberTags.DEFAULT), ctx(null), Lag.CHECKED, null, null)
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(Row row) {
        PromotionRule.Refusal r = PromotionRule.check(row.candidate(), row.ctx(), row.lag());
        if (row.refused() == null) {
            assertThat(r).isNull();
            return;
        }
        assertThat(r).isNotNull();
        assertThat(r.reason()).isEqualTo(row.refused());
        if (row.words() != null) {
            assertThat(r.text()).contains(row.words());
            assertThat(PromotionRule.refusal(row.candidate(), row.ctx(), row.lag())).isEqualTo(r.text());
        }
    }
}
