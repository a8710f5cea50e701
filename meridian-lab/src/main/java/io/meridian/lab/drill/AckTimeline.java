package io.meridian.lab.drill;

import io.meridian.core.cluster.TimelineEvent;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The figures a drill draws from its attempt log, as pure functions: downtime, the longest gap
 * between acknowledgements, and writes that a server acknowledged while another one led.
 */
public final class AckTimeline {

    /** A window without acknowledged writes, in probe-clock nanoseconds. */
    public record Gap(long fromNs, long toNs) {
        public double seconds() {
            return (toNs - fromNs) / 1e9;
        }
    }

    /** How long an ack from a member that is about to show up in the history as the new leader is forgiven. */
    static final long PROMOTION_RECORD_GRACE_NS = 2_000_000_000L;

    private AckTimeline() {
    }

    /**
     * Write downtime after a fault: the longest stretch without an acknowledgement that ends after
     * {@code faultNs}, counted from the fault when the stretch began before it. After a crash this
     * is the time from the fault to the first write acknowledged after it; after a switchover,
     * where writes go on until the old leader stops, it is the stretch between the old leader's
     * last acknowledgement and the new leader's first.
     *
     * @return empty when no write was acknowledged after the fault (no recovery)
     */
    public static Optional<Gap> downtime(List<WriteAttempt> attempts, long faultNs) {
        long[] ends = attempts.stream().filter(WriteAttempt::ok).mapToLong(WriteAttempt::endNs).sorted().toArray();
        Gap best = null;
        long prev = Long.MIN_VALUE;
        for (long e : ends) {
            if (e > faultNs) {
                Gap g = new Gap(Math.max(prev, faultNs), e);
                if (best == null || g.seconds() > best.seconds()) {
                    best = g;
                }
            }
            prev = e;
        }
        return Optional.ofNullable(best);
    }

    /** The longest stretch between two acknowledgements, or empty with fewer than two. */
    public static Optional<Gap> longestGap(List<WriteAttempt> attempts) {
        long[] ends = attempts.stream().filter(WriteAttempt::ok).mapToLong(WriteAttempt::endNs).sorted().toArray();
        Gap best = null;
        for (int i = 1; i < ends.length; i++) {
            Gap g = new Gap(ends[i - 1], ends[i]);
            if (best == null || g.seconds() > best.seconds()) {
                best = g;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The first acknowledged write that ends after {@code afterNs}. */
    public static Optional<WriteAttempt> firstAckAfter(List<WriteAttempt> attempts, long afterNs) {
        return attempts.stream().filter(a -> a.ok() && a.endNs() > afterNs)
                .min(java.util.Comparator.comparingLong(WriteAttempt::endNs));
    }

    /** Who led at {@code atNs} according to the history (the newest promotion not after it). */
    public static Optional<String> leaderAt(List<TimelineEvent> history, long atNs) {
        String leader = null;
        long latest = Long.MIN_VALUE;
        for (TimelineEvent e : history) {
            long t = ProbeClock.millisToNanos(e.atMillis());
            if (t <= atNs && t >= latest) {
                latest = t;
                leader = e.newLeader();
            }
        }
        return Optional.ofNullable(leader);
    }

    /**
     * Acknowledged writes sent to a member after another member's promotion: the history named
     * someone else leader when the write started, yet it was acknowledged. A member's own
     * promotion is written to the history just after PostgreSQL promotes, so an ack from a member
     * whose promotion is recorded within {@link #PROMOTION_RECORD_GRACE_NS} after the write is
     * that new leader's, not a stale one's.
     *
     * @param memberOf the member behind a server address, when known
     */
    public static List<WriteAttempt> splitBrain(List<WriteAttempt> attempts, Function<String, Optional<String>> memberOf,
            List<TimelineEvent> history) {
        return attempts.stream().filter(WriteAttempt::ok).filter(a -> {
            Optional<String> who = memberOf.apply(a.server());
            Optional<String> leader = leaderAt(history, a.startNs());
            if (who.isEmpty() || leader.isEmpty() || leader.get().equals(who.get())) {
                return false;
            }
            return history.stream().noneMatch(e -> e.newLeader().equals(who.get())
                    && ProbeClock.millisToNanos(e.atMillis()) > a.startNs()
                    && ProbeClock.millisToNanos(e.atMillis()) <= a.endNs() + PROMOTION_RECORD_GRACE_NS);
        }).toList();
    }

    /** The first promotion recorded at or after {@code faultNs}. */
    public static Optional<TimelineEvent> promotionAfter(List<TimelineEvent> history, long faultNs) {
        return history.stream().filter(e -> ProbeClock.millisToNanos(e.atMillis()) >= faultNs - 1_000_000L)
                .min(java.util.Comparator.comparingLong(TimelineEvent::atMillis));
    }
}
