package io.meridian.lab.cli;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
import io.meridian.core.console.CliException;
import io.meridian.core.console.MemberLabels;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Waits for the lab's cluster to reach a state, printing each member's progress as it changes and
 * failing early, with the end of its log, when an agent process dies.
 */
final class LabWait {

    private final Dcs dcs;
    private final PrintWriter out;
    private final Map<String, String> lastSeen = new HashMap<>();

    LabWait(Dcs dcs, PrintWriter out) {
        this.dcs = dcs;
        this.out = out;
    }

    /** A leader whose PostgreSQL runs as primary. */
    static boolean hasLeader(Cluster c) {
        return c.leaderMember().map(m -> m.role() == Role.PRIMARY && m.isRunning()).orElse(false);
    }

    /** A leader, and every node in {@code nodes} alive and streaming from it. */
    static Predicate<Cluster> allStreaming(List<String> nodes) {
        return c -> hasLeader(c) && nodes.stream().allMatch(n -> c.isLeader(n)
                || c.member(n).map(m -> m.role() == Role.REPLICA && m.isRunning() && m.isStreaming()).orElse(false));
    }

    Cluster until(Predicate<Cluster> done, List<LabState.Node> watched, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Cluster c = null;
        while (true) {
            for (LabState.Node n : watched) {
                if (!LabProcesses.isAlive(n.agentPid())) {
                    throw new CliException("the agent of " + n.name() + " (pid " + n.agentPid() + ") exited while waiting for "
                            + what + "; last lines of " + n.log() + ":\n" + LabProcesses.tail(Path.of(n.log()), 15));
                }
            }
            try {
                c = dcs.load();
                report(c);
                if (done.test(c)) {
                    return c;
                }
            } catch (DcsException e) {
                report("etcd", e.getMessage());
            }
            if (System.nanoTime() > deadline) {
                throw new CliException(what + " did not happen within " + timeout.toSeconds() + " s; see the agents' logs under "
                        + (watched.isEmpty() ? "the lab folder" : Path.of(watched.get(0).log()).getParent().getParent()));
            }
            // Wake on any change in etcd, and at least twice a second to check the processes.
            if (c == null) {
                Thread.sleep(300);
            } else {
                dcs.awaitChange(c.revision(), Duration.ofMillis(500));
            }
        }
    }

    private void report(Cluster c) {
        for (Member m : c.members()) {
            String role = MemberLabels.role(c, m);
            report(m.name(), role.toLowerCase(java.util.Locale.ROOT) + ", " + MemberLabels.state(m)
                    + (m.timeline() > 0 ? ", timeline " + m.timeline() : ""));
        }
    }

    private void report(String who, String what) {
        if (!what.equals(lastSeen.put(who, what))) {
            out.println("  " + who + ": " + what);
            out.flush();
        }
    }
}
