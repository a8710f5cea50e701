package io.meridian.lab.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.TimelineEvent;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AckTimelineTest {

    private static final long S = 1_000_000_000L;
    /** A fault at t = 100 s on the probe clock; history times are epoch millis on the same scale. */
    private static final long FAULT = 100 * S;
    private static final Map<String, String> NODES = Map.of("127.0.0.1:1", "paris-1", "127.0.0.1:2", "newyork-1");

    private static WriteAttempt ack(long id, double start, double end, String server) {
        return new WriteAttempt(id, 0, Math.round(start * S), Math.round(end * S), true, server, null);
    }

    private static WriteAttempt fail(long id, double start, double end) {
        return new WriteAttempt(id, 0, Math.round(start * S), Math.round(end * S), false, "127.0.0.1:1", "refused");
    }

    private static TimelineEvent promoted(String who, double atSeconds, long tl) {
        return new TimelineEvent(tl, Lsn.ZERO, "failover", Math.round(atSeconds * 1000), who, null, "r");
    }

    @Test
    void downtimeAfterACrashRunsFromTheFaultToTheFirstAckAfterIt() {
        var attempts = List.of(ack(1, 99.0, 99.5, "127.0.0.1:1"), ack(2, 99.5, 99.9, "127.0.0.1:1"),
                fail(3, 99.9, 101), fail(4, 101, 103), ack(5, 103, 104.2, "127.0.0.1:2"), ack(6, 104.2, 104.3, "127.0.0.1:2"));
        assertThat(AckTimeline.downtime(attempts, FAULT).orElseThrow().seconds()).isCloseTo(4.2, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(AckTimeline.longestGap(attempts).orElseThrow().seconds()).isCloseTo(4.3, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void downtimeAfterASwitchoverIsTheStretchBetweenTheOldLeadersLastAckAndTheNewLeadersFirst() {
        var attempts = List.of(ack(1, 99.8, 100.1, "127.0.0.1:1"), ack(2, 100.1, 101.0, "127.0.0.1:1"),
                ack(3, 101.0, 101.2, "127.0.0.1:1"), fail(4, 101.2, 102), ack(5, 102, 102.9, "127.0.0.1:2"));
        assertThat(AckTimeline.downtime(attempts, FAULT).orElseThrow().seconds()).isCloseTo(1.7, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void noAckAfterTheFaultMeansNoRecovery() {
        assertThat(AckTimeline.downtime(List.of(ack(1, 99, 99.5, "127.0.0.1:1"), fail(2, 99.5, 130)), FAULT)).isEmpty();
    }

    @Test
    void anAckFromTheOldLeaderAfterTheNewLeadersPromotionIsSplitBrain() {
        var history = List.of(promoted("paris-1", 10, 1), promoted("newyork-1", 105, 2));
        var attempts = List.of(ack(1, 104, 104.1, "127.0.0.1:1"), ack(2, 106, 106.1, "127.0.0.1:1"),
                ack(3, 106, 106.2, "127.0.0.1:2"), fail(4, 107, 108));
        var split = AckTimeline.splitBrain(attempts, s -> Optional.ofNullable(NODES.get(s)), history);
        assertThat(split).extracting(WriteAttempt::id).containsExactly(2L);
    }

    @Test
    void theNewLeadersFirstAcksBeforeItsPromotionIsRecordedAreNotSplitBrain() {
        // The agent writes /history just after pg_promote returns: its first writes may come first.
        var history = List.of(promoted("paris-1", 10, 1), promoted("newyork-1", 105, 2));
        var attempts = List.of(ack(1, 104.8, 104.9, "127.0.0.1:2"));
        assertThat(AckTimeline.splitBrain(attempts, s -> Optional.ofNullable(NODES.get(s)), history)).isEmpty();
    }

    @Test
    void aLeaderRestartedInPlaceHasNoNewPromotionAndNoSplitBrain() {
        var history = List.of(promoted("paris-1", 10, 1));
        var attempts = List.of(ack(1, 99, 99.1, "127.0.0.1:1"), ack(2, 103, 103.1, "127.0.0.1:1"));
        assertThat(AckTimeline.splitBrain(attempts, s -> Optional.ofNullable(NODES.get(s)), history)).isEmpty();
        assertThat(AckTimeline.promotionAfter(history, FAULT)).isEmpty();
        assertThat(AckTimeline.leaderAt(history, FAULT)).contains("paris-1");
    }
}
