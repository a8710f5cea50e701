package io.meridian.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which standby a commit waits for, by mode, as SyncKeeper builds synchronous_standby_names. */
class CommitCeilingTest {

    /** Leader in paris; paris-2 at 1 ms, newyork-1 at 80 ms, tokyo-1 at 250 ms (the WAN lab). */
    private static final List<Standby> LAB = List.of(new Standby("paris-2", "paris", 1),
            new Standby("newyork-1", "newyork", 80), new Standby("tokyo-1", "tokyo", 250));

    @ParameterizedTest(name = "{0}: {1}, k={2}, strict={3} → {4} ms")
    @CsvSource({
            "1, off,           1, false, 0,        ''",
            "2, quorum,        1, false, 1,        paris-2",
            "3, region_quorum, 1, false, 80,       newyork-1",
            "4, region_quorum, 2, false, 250,      newyork-1 tokyo-1",
            "5, quorum,        2, false, 80,       paris-2 newyork-1",
            "6, region_quorum, 3, false, 250,      newyork-1 tokyo-1",
            "7, region_quorum, 3, true,  Infinity, ''",
    })
    void floorIsTheRoundTripToTheKthNearestEligibleStandby(int row, String mode, int k, boolean strict, double floorMs,
                                                            String waitsFor) {
        CommitCeiling c = CommitCeiling.of(SyncMode.of(mode), k, strict, "paris", LAB, 0);
        assertThat(c.floorMillis()).as("row %d", row).isEqualTo(floorMs);
        assertThat(String.join(" ", c.waitsFor())).as("row %d", row).isEqualTo(waitsFor);
    }

    @ParameterizedTest(name = "a non-promotable newyork-1: {0}")
    @CsvSource({"region_quorum, 250", "quorum, 1"})
    void aStandbyThatCannotBePromotedIsNotWaitedFor(String mode, double floorMs) {
        List<Standby> s = List.of(new Standby("paris-2", "paris", 1), new Standby("newyork-1", "newyork", 80, false),
                new Standby("tokyo-1", "tokyo", 250));
        assertThat(CommitCeiling.of(SyncMode.of(mode), 1, false, "paris", s, 0).floorMillis()).isEqualTo(floorMs);
    }

    @ParameterizedTest(name = "local {0} ms + 80 ms: {1} commits/s per session")
    @CsvSource({"0, 12.5", "20, 10"})
    void theLocalCommitAddsToTheRoundTrip(double local, double perSession) {
        CommitCeiling c = CommitCeiling.of(SyncMode.REGION_QUORUM, 1, false, "paris", LAB, local);
        assertThat(c.perSessionPerSecond()).isEqualTo(perSession);
    }
}
