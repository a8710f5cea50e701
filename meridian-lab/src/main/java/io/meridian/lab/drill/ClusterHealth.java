package io.meridian.lab.drill;

import io.meridian.core.console.CliException;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** "Healthy" as a drill needs it before a trial: a running primary holds the key and every other node streams from it. */
public final class ClusterHealth {

    private ClusterHealth() {
    }

    /** Why {@code c} is not healthy for these nodes, or empty when it is. */
    public static Optional<String> problem(Cluster c, List<String> nodes) {
        Optional<Member> leader = c.leaderMember();
        if (leader.isEmpty()) {
            return Optional.of(c.hasLeader() ? c.leader().name() + " holds the key but publishes no member record" : "no leader");
        }
        Member l = leader.get();
        if (l.role() != Role.PRIMARY || !l.isRunning()) {
            return Optional.of("leader " + l.name() + " is " + l.role().label().toLowerCase(java.util.Locale.ROOT) + ", " + l.state());
        }
        for (String n : nodes) {
            if (n.equals(l.name())) {
                continue;
            }
            Optional<Member> m = c.member(n);
            if (m.isEmpty()) {
                return Optional.of(n + " is not in etcd (agent down?)");
            }
            if (m.get().role() != Role.REPLICA || !m.get().isRunning() || !m.get().isStreaming()) {
                return Optional.of(n + " is " + m.get().role().label().toLowerCase(java.util.Locale.ROOT) + ", " + m.get().state()
                        + (m.get().replicationState() == null ? "" : ", " + m.get().replicationState()));
            }
            if (m.get().timeline() != l.timeline()) {
                return Optional.of(n + " is on timeline " + m.get().timeline() + ", the leader on " + l.timeline());
            }
        }
        return Optional.empty();
    }

    /** Polls etcd until the cluster is healthy; fails naming what was still wrong. */
    public static Cluster await(Dcs dcs, List<String> nodes, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "etcd did not answer";
        while (true) {
            try {
                Cluster c = dcs.load();
                Optional<String> p = problem(c, nodes);
                if (p.isEmpty()) {
                    return c;
                }
                last = p.get();
            } catch (DcsException e) {
                last = "etcd: " + e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                throw new CliException("the cluster was not healthy within " + timeout.toSeconds() + " s: " + last);
            }
            Thread.sleep(250);
        }
    }
}
