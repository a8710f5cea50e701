package io.meridian.core.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.cluster.Lsn;
import org.junit.jupiter.api.Test;

/** The rewind rule as a table of named cases. */
class TimelineHistoryTest {

    private static final String TL2 = "1\t0/3000198\tno recovery target specified\n";
    private static final String TL3 = TL2 + "2\t0/5000060\tno recovery target specified\n";
    private static final String TL2_OTHER = "1\t0/3000200\tno recovery target specified\n";

    private static boolean decide(long ourTli, String ourEnd, String ourHistory, long leaderTli, String leaderLsn,
                                  String leaderHistory) {
        return TimelineHistory.decide(ourTli, ourEnd == null ? null : Lsn.parse(ourEnd), ourHistory, leaderTli,
                Lsn.parse(leaderLsn), leaderHistory).diverged();
    }

    @Test
    void c01_standbyBehindOnOldTimelineFollowsWithoutRewind() {
        assertThat(decide(1, "0/3000100", null, 2, "0/6000000", TL2)).isFalse();
    }

    @Test
    void c02_oldPrimaryThatWroteAfterTheForkMustRewind() {
        assertThat(decide(1, "0/3000300", null, 2, "0/6000000", TL2)).isTrue();
    }

    @Test
    void c03_walEndingExactlyAtTheForkIsAPrefix() {
        assertThat(decide(1, "0/3000198", null, 2, "0/6000000", TL2)).isFalse();
    }

    @Test
    void c04_grandparentTimelineIsCheckedAgainstItsOwnForkPoint() {
        assertThat(decide(1, "0/3000100", null, 3, "0/6000000", TL3)).isFalse();
        assertThat(decide(2, "0/5000100", TL2, 3, "0/6000000", TL3)).isTrue();
    }

    @Test
    void c05_timelineNotInTheLeadersAncestryMustRewind() {
        assertThat(decide(2, "0/3000100", TL2, 3, "0/6000000", "1\t0/3000198\tx\n")).isTrue();
    }

    @Test
    void c06_newerTimelineThanTheLeaderMustRewind() {
        assertThat(decide(3, "0/5000100", TL3, 2, "0/9000000", TL2)).isTrue();
    }

    @Test
    void c07_sameTimelineBehindIsFine_aheadIsNot() {
        assertThat(decide(2, "0/5000000", TL2, 2, "0/6000000", TL2)).isFalse();
        assertThat(decide(2, "0/7000000", TL2, 2, "0/6000000", TL2)).isTrue();
    }

    @Test
    void c08_sameTimelineNumberCreatedTwiceMustRewind() {
        assertThat(decide(2, "0/3500000", TL2_OTHER, 2, "0/6000000", TL2)).isTrue();
    }

    @Test
    void c09_unknownEndOfLocalWalOrUnreadableLeaderHistoryMeansRewind() {
        assertThat(decide(1, null, null, 1, "0/6000000", "")).isTrue();
        assertThat(decide(1, "0/3000000", null, 2, "0/6000000", null)).isTrue();
    }

    @Test
    void waldumpEndIsTheFirstInvalidRecord() {
        String out = "pg_waldump: error: error in WAL record at 0/1741888: invalid record length at 0/1741900: wanted 24, got 0";
        assertThat(TimelineHistory.waldumpEnd(out)).isEqualTo(Lsn.parse("0/1741900"));
        assertThat(TimelineHistory.waldumpEnd("pg_waldump: error: could not find file \"000000020000000000000003\"")).isNull();
    }

    @Test
    void aMissingFirstSegmentMeansNoWalOnThatTimeline() {
        assertThat(TimelineHistory.noSegment("pg_waldump: error: could not find file \"000000020000000000000004\": No such file or directory")).isTrue();
        assertThat(TimelineHistory.noSegment("pg_waldump: error: could not find a valid record after 0/4024928")).isFalse();
        assertThat(TimelineHistory.parse("1\t0/3000000\tno recovery target specified\n2\t0/5000000\tx\n").parent()).isEqualTo(2);
        assertThat(TimelineHistory.parse("").parent()).isEqualTo(1);
    }

    @Test
    void parsesControlData() throws Exception {
        ControlData cd = ControlData.parse("""
                Database system identifier:           7712204815073967735
                Database cluster state:               shut down in recovery
                Latest checkpoint location:           0/1741888
                Latest checkpoint's TimeLineID:       1
                Minimum recovery ending location:     0/3000060
                Min recovery ending loc's timeline:   2
                """);
        assertThat(cd.systemId()).isEqualTo("7712204815073967735");
        assertThat(cd.checkpointLsn()).isEqualTo(Lsn.parse("0/1741888"));
        assertThat(cd.minRecoveryTli()).isEqualTo(2);
        assertThat(cd.cleanPrimaryShutdown()).isFalse();
    }
}
