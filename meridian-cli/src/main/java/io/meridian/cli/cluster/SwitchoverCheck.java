package io.meridian.cli.cluster;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import java.util.List;
import java.util.Optional;

/**
 * Why a member may not take over, in words an operator can act on. The agents decide for real;
 * this check lets the CLI refuse at once instead of writing a request the leader would ignore.
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
        if (!m.tags().promotable()) {
            return Optional.of(name + " is tagged nofailover (or failover_priority 0)");
        }
        if (!m.isRunning()) {
            return Optional.of(name + " is not running (state " + m.state() + ")");
        }
        if (c.hasLeader() && !m.isStreaming()) {
            return Optional.of(name + " is not streaming from the leader (replication state "
                    + (m.replicationState() == null ? "none" : m.replicationState()) + ")");
        }
        Optional<Member> leader = c.leaderMember();
        if (leader.isPresent() && leader.get().timeline() > 0 && m.timeline() != leader.get().timeline()) {
            return Optional.of(name + " is on timeline " + m.timeline() + ", the leader on " + leader.get().timeline());
        }
        long behind = Lag.bytesBehind(c, m);
        long max = c.config().maximumLagOnFailover();
        if (behind < 0) {
            return Optional.of(name + " has not reported its WAL position");
        }
        if (behind > max) {
            return Optional.of(name + " is " + Lag.human(behind) + " behind the leader, more than maximum_lag_on_failover ("
                    + Lag.human(max) + ")");
        }
        if (!"off".equals(c.config().synchronousMode()) && !c.sync().members().contains(name)) {
            return Optional.of(name + " is not in the synchronous set " + c.sync().members()
                    + " (synchronous_mode " + c.config().synchronousMode() + ")");
        }
        return Optional.empty();
    }

    /** Members that could take over now, most advanced first. */
    public static List<Member> eligible(Cluster c) {
        return c.members().stream()
                .filter(m -> refusal(c, m.name()).isEmpty())
                .sorted(java.util.Comparator.comparing(Member::lsn).reversed().thenComparing(Member::name))
                .toList();
    }
}
