package io.meridian.core.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.MemberTags;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The failover decision as a table: each row names a situation, the winner and who is refused. */
class FailoverCandidatesTest {

    private static final long MB = 1024 * 1024;

    private static Candidate c(String name, String region, long lsn) {
        return new Candidate(name, region, MemberTags.DEFAULT, true, true, 1, new Lsn(lsn), true, true);
    }

    private static Candidate tagged(String name, String region, long lsn, MemberTags tags) {
        return new Candidate(name, region, tags, true, true, 1, new Lsn(lsn), true, true);
    }

    private static FailoverContext ctx() {
        return new FailoverContext(new Lsn(100 * MB), 1, MB, 0, "paris", List.of(), null);
    }

    private static FailoverContext ctx(long tolerance, String lostRegion, List<String> priority, Set<String> sync) {
        return new FailoverContext(new Lsn(100 * MB), 1, MB, tolerance, lostRegion, priority, sync);
    }

    record Row(String name, List<Candidate> candidates, FailoverContext ctx, String winner, String refusedName,
               String refusedReason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> table() {
        long at = 100 * MB;
        return Stream.of(
                new Row("01 most advanced replica wins", List.of(c("a", "x", at - 10), c("b", "x", at)), ctx(), "b", "a", "behind the most advanced"),
                new Row("02 equal positions: name breaks the tie", List.of(c("b", "x", at), c("a", "x", at)), ctx(), "a", null, null),
                new Row("03 equal positions: failover_priority beats name", List.of(c("a", "x", at), tagged("b", "x", at, new MemberTags(false, 5, false))), ctx(), "b", null, null),
                new Row("04 nofailover is never chosen even if ahead", List.of(c("a", "x", at - 10), tagged("b", "x", at, new MemberTags(true, 1, false))), ctx(), "a", "b", "nofailover"),
                new Row("05 failover_priority 0 means never", List.of(c("a", "x", at - 10), tagged("b", "x", at, new MemberTags(false, 0, false))), ctx(), "a", "b", "failover_priority is 0"),
                new Row("06 lag beyond maximum_lag_on_failover refused", List.of(c("a", "x", at - 2 * MB)), ctx(), null, "a", "maximum_lag_on_failover"),
                new Row("07 lag exactly at the maximum is allowed", List.of(c("a", "x", at - MB)), ctx(), "a", null, null),
                new Row("08 other timeline refused", List.of(new Candidate("a", "x", MemberTags.DEFAULT, true, true, 2, new Lsn(at), true, true), c("b", "x", at - 5)), ctx(), "b", "a", "timeline 2"),
                new Row("09 not running refused", List.of(new Candidate("a", "x", MemberTags.DEFAULT, false, true, 1, new Lsn(at), true, true), c("b", "x", at - 5)), ctx(), "b", "a", "not running"),
                new Row("10 not a standby refused", List.of(new Candidate("a", "x", MemberTags.DEFAULT, true, false, 1, new Lsn(at), true, true)), ctx(), null, "a", "not a standby"),
                new Row("11 never streamed refused", List.of(new Candidate("a", "x", MemberTags.DEFAULT, true, true, 1, new Lsn(at), false, true), c("b", "x", at - 5)), ctx(), "b", "a", "not streaming"),
                new Row("12 unreachable agent refused", List.of(new Candidate("a", "x", MemberTags.DEFAULT, true, true, 1, new Lsn(at), true, false), c("b", "x", at - 5)), ctx(), "b", "a", "did not answer"),
                new Row("13 no candidates: nobody wins", List.of(), ctx(), null, null, null),
                new Row("14 lost leader's region wins among equals", List.of(c("a", "tokyo", at), c("b", "paris", at)), ctx(), "b", null, null),
                new Row("15 region never beats data safety (tolerance 0)", List.of(c("a", "tokyo", at), c("b", "paris", at - 100)), ctx(), "a", "b", "behind the most advanced"),
                new Row("16 within lag_tolerance the lost leader's region wins", List.of(c("a", "tokyo", at), c("b", "paris", at - 100)), ctx(1000, "paris", List.of(), null), "b", null, null),
                new Row("17 beyond lag_tolerance the region loses", List.of(c("a", "tokyo", at), c("b", "paris", at - 5000)), ctx(1000, "paris", List.of(), null), "a", "b", "lag_tolerance"),
                new Row("18 region_priority orders other regions", List.of(c("a", "tokyo", at), c("b", "newyork", at)), ctx(0, "paris", List.of("newyork", "tokyo"), null), "b", null, null),
                new Row("19 lost region beats region_priority", List.of(c("a", "newyork", at), c("b", "paris", at)), ctx(0, "paris", List.of("newyork"), null), "b", null, null),
                new Row("20 listed region beats unlisted", List.of(c("a", "sydney", at), c("b", "tokyo", at)), ctx(0, "paris", List.of("tokyo"), null), "b", null, null),
                new Row("21 region beats failover_priority", List.of(tagged("a", "tokyo", at, new MemberTags(false, 9, false)), c("b", "paris", at)), ctx(), "b", null, null),
                new Row("22 sync mode: only sync members may win", List.of(c("a", "x", at), c("b", "x", at - 10)), ctx(0, null, List.of(), Set.of("b")), "b", "a", "synchronous set"),
                new Row("23 sync mode with empty set: nobody", List.of(c("a", "x", at)), ctx(0, null, List.of(), Set.of()), null, "a", "synchronous set"),
                new Row("24 unknown lost region: priority then name", List.of(c("b", "tokyo", at), c("a", "tokyo", at)), ctx(0, null, List.of(), null), "a", null, null)
        ).map(r -> Arguments.of(r));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(Row row) {
        FailoverCandidates.Ranking r = FailoverCandidates.rank(row.candidates(), row.ctx());
        if (row.winner() == null) {
            assertThat(r.eligible()).as("nobody may be promoted").isEmpty();
        } else {
            assertThat(r.eligible()).as("someone is eligible").isNotEmpty();
            assertThat(r.eligible().get(0).name()).isEqualTo(row.winner());
            assertThat(r.isBest(row.winner())).isTrue();
        }
        if (row.refusedName() != null) {
            assertThat(r.refused()).containsKey(row.refusedName());
            assertThat(r.refused().get(row.refusedName())).contains(row.refusedReason());
        }
    }
}
