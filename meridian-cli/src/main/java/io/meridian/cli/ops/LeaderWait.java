package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.console.CliException;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Predicate;

/** Waits, by watching etcd rather than polling blindly, until the cluster reaches a wanted state. */
final class LeaderWait {

    private LeaderWait() {
    }

    /**
     * Returns the first cluster record that satisfies {@code done}, printing {@code progress} lines
     * as the leader changes; throws when {@code timeout} passes first.
     */
    static Cluster until(Dcs dcs, Duration timeout, Predicate<Cluster> done, String what, PrintWriter out)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastLeader = "";
        Cluster c = null;
        while (true) {
            try {
                c = dcs.load();
                if (done.test(c)) {
                    return c;
                }
                String leader = c.hasLeader() ? c.leader().name() : "(none)";
                if (!leader.equals(lastLeader)) {
                    out.println("  leader: " + leader);
                    out.flush();
                    lastLeader = leader;
                }
            } catch (DcsException e) {
                // etcd may be briefly unavailable during a failover drill; keep waiting until the deadline.
                out.println("  etcd: " + e.getMessage());
                out.flush();
                Thread.sleep(200);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new CliException(what + " did not happen within " + timeout.toSeconds() + " s (leader: "
                        + (c != null && c.hasLeader() ? c.leader().name() : "none") + ")");
            }
            // Wake on any change under the cluster prefix, at least every 500 ms.
            dcs.awaitChange(c == null ? 0 : c.revision(), Duration.ofNanos(Math.min(left, 500_000_000L)));
        }
    }
}
