package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
import io.meridian.core.failover.Candidate;
import io.meridian.core.failover.FailoverCandidates;
import io.meridian.core.failover.FailoverContext;
import io.meridian.core.failover.PromotionRule;
import java.util.List;
import java.util.Optional;

/**
 * Why a member may not take over, in words an operator can act on. The agents decide for real;
 * this check lets the CLI refuse at once instead of writing a request the leader would ignore. It
 * applies the agents' own rule ({@link PromotionRule}) and ranking ({@link FailoverCandidates#rank})
 * to the member records, so the CLI never proposes a node the leader would not choose.
 */
public final class SwitchoverCheck {

    private SwitchoverCheck() {
    }

    /** Empty when {@code name} could be promoted now, else the reason it cannot. */
    public static Optional<String> refusal(Cluster c, String name) {
        Optional<Member> found = c.member(name);
        if (found.isEmpty()) {
            return Optional.of("no member named '" + name + "' is alive (members: "
                    + String.join(", ", c.members().stream().map(Member::name).toList()) + ")");
        }
        Member m = found.get();
        if (c.isLeader(name)) {
            return Optional.of(name + " is already the leader");
        }
        FailoverContext ctx = context(c);
        PromotionRule.Refusal r = PromotionRule.check(candidate(c, m), ctx, PromotionRule.Lag.CHECKED);
        if (r != null && r.reason() != PromotionRule.Reason.TOO_FAR_BEHIND) {
            return Optional.of(switch (r.reason()) {
                case NOT_RUNNING -> name + " is not running (state " + m.state() + ")";
                case NOT_STANDBY -> name + " is not a standby (role " + m.role().label() + ")";
                case NOFAILOVER, PRIORITY_ZERO -> name + " is tagged nofailover (or failover_priority 0)";
                case OTHER_TIMELINE -> name + " is on timeline " + m.timeline() + ", the "
                        + (c.hasLeader() ? "leader" : "cluster") + " on " + ctx.timeline();
                case NOT_STREAMING -> name + " is not streaming from the leader (replication state "
                        + (m.replicationState() == null ? "none" : m.replicationState()) + ")";
                case NOT_IN_SYNC_SET -> name + " is not in the synchronous set " + c.sync().members()
                        + " (synchronous_mode " + c.config().synchronousMode() + ")";
                default -> name + ": " + r.text();
            });
        }
        if (Lag.bytesBehind(c, m) < 0) {
            return Optional.of(name + " has not reported its WAL position");
        }
        if (r != null) {
            return Optional.of(name + " is " + Lag.human(r.lag()) + " behind the leader, more than maximum_lag_on_failover ("
                    + Lag.human(c.config().maximumLagOnFailover()) + ")");
        }
        return Optional.empty();
    }

    /** The members that could take over now, best first, as the leader would rank them. */
    public static List<Member> eligible(Cluster c) {
        List<Candidate> all = c.members().stream()
                .filter(m -> !c.isLeader(m.name()) && refusal(c, m.name()).isEmpty())
                .map(m -> candidate(c, m)).toList();
        return FailoverCandidates.rank(all, context(c)).eligible().stream()
                .map(x -> c.member(x.name()).orElseThrow()).toList();
    }

    /** What the leader measures a switchover against: its own position, timeline and region. */
    private static FailoverContext context(Cluster c) {
        Optional<Member> leader = c.leaderMember();
        long timeline = leader.isPresent() && leader.get().timeline() > 0 ? leader.get().timeline()
                : c.status().timeline() > 0 ? c.status().timeline() : c.lastTimeline();
        return FailoverContext.handover(c, Lag.leaderPosition(c), timeline, leader.map(Member::region).orElse(null));
    }

    /**
     * A member record as a candidate. Without a leader, a WAL receiver that streamed until the
     * leader went missing is published as {@code reconnecting}, which the race accepts.
     */
    private static Candidate candidate(Cluster c, Member m) {
        boolean replicating = m.isStreaming() || (!c.hasLeader() && "reconnecting".equals(m.replicationState()));
        return new Candidate(m.name(), m.region(), m.tags(), m.isRunning(), m.role() == Role.REPLICA, m.timeline(),
                m.lsn(), replicating, true);
    }
}
