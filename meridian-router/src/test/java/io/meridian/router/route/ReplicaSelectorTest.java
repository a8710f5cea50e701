package io.meridian.router.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.cluster.Lsn;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Numbered cases for the pure replica choice. */
class ReplicaSelectorTest {

    static Candidate c(String name, String region, long lagBytes, long lagMs, long lsn, long rttMs, int conns) {
        return new Candidate(name, region, "h", 1, lagBytes, lagMs, new Lsn(lsn), rttMs * 1_000_000, conns);
    }

    static final LagBound MB = LagBound.parse("1MB,5s");

    @Test
    void case1_ownRegionBeforeANearerIdlerForeignOne() {
        var pick = ReplicaSelector.choose(List.of(c("ny", "newyork", 0, 0, 100, 1, 0), c("paris", "paris", 0, 0, 100, 30, 9)), "paris", MB, null);
        assertThat(pick).get().extracting(Candidate::name).isEqualTo("paris");
    }

    @Test
    void case2_otherRegionsByRoundTripWhenTheOwnIsTooFarBehind() {
        var pick = ReplicaSelector.choose(List.of(c("paris", "paris", 5 << 20, 0, 1, 1, 0), c("tokyo", "tokyo", 0, 0, 100, 200, 0),
                c("ny", "newyork", 0, 0, 100, 80, 3)), "paris", MB, null);
        assertThat(pick).get().extracting(Candidate::name).isEqualTo("ny");
    }

    @Test
    void case3_leastConnectionsWithinTheRegion() {
        var pick = ReplicaSelector.choose(List.of(c("p1", "paris", 0, 0, 100, 1, 4), c("p2", "paris", 0, 0, 100, 2, 1)), "paris", MB, null);
        assertThat(pick).get().extracting(Candidate::name).isEqualTo("p2");
    }

    @Test
    void case4_unknownLagNeverSatisfiesABound() {
        assertThat(ReplicaSelector.choose(List.of(c("p1", "paris", -1, -1, 100, 1, 0)), "paris", MB, null)).isEmpty();
        assertThat(ReplicaSelector.choose(List.of(c("p1", "paris", -1, -1, 100, 1, 0)), "paris", LagBound.NONE, null)).isPresent();
    }

    @Test
    void case5_timeBoundAlone() {
        var pick = ReplicaSelector.choose(List.of(c("p1", "paris", 10, 6000, 100, 1, 0), c("ny", "newyork", 10 << 20, 100, 100, 90, 0)),
                "paris", LagBound.parse("2s"), null);
        assertThat(pick).get().extracting(Candidate::name).isEqualTo("ny");
    }

    @Test
    void case6_minLsnNeedsReplayAtOrPast() {
        List<Candidate> cs = List.of(c("p1", "paris", 0, 0, 99, 1, 0), c("ny", "newyork", 0, 0, 100, 90, 0));
        assertThat(ReplicaSelector.choose(cs, "paris", MB, new Lsn(100))).get().extracting(Candidate::name).isEqualTo("ny");
        assertThat(ReplicaSelector.choose(cs, "paris", MB, new Lsn(101))).isEmpty();
    }

    @Test
    void lagBoundsParseLikePostgresSettings() {
        assertThat(LagBound.parse("64kB")).isEqualTo(new LagBound(65536, -1));
        assertThat(LagBound.parse("250ms, 1GB")).isEqualTo(new LagBound(1L << 30, 250));
        assertThat(LagBound.parse("1min")).isEqualTo(new LagBound(-1, 60000));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LagBound.parse("5 parsecs")).hasMessageContaining("unknown unit");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LagBound.parse("1s,2s")).hasMessageContaining("same unit twice");
    }
}
