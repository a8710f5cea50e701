package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.dcs.Dcs;
import java.io.PrintWriter;
import java.time.Duration;

/** Flips {@code paused} in {@code /config} by compare-and-set, re-reading when someone else wrote first. */
final class PausedFlag {

    private static final int ATTEMPTS = 5;

    private PausedFlag() {
    }

    static int set(ClusterTarget target, Dcs dcs, boolean paused, boolean await, PrintWriter out) throws Exception {
        String word = paused ? "paused" : "resumed";
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Cluster c = ClusterVerb.requireInitialized(target, ClusterVerb.load(target, dcs));
            if (c.config().paused() == paused) {
                out.println("Cluster " + c.name() + " is already " + (paused ? "paused" : "running (not paused)"));
                out.flush();
                return 0;
            }
            long writtenAt = System.currentTimeMillis();
            if (dcs.setConfig(c.config().withPaused(paused), c.configVersion())) {
                out.println("Cluster " + c.name() + " " + word + (paused ? ": no automatic failover until 'meridian resume'" : ""));
                out.flush();
                if (await) {
                    awaitAgents(dcs, writtenAt, out);
                }
                return 0;
            }
            // Lost the compare-and-set to a concurrent writer: read the new config and try again.
        }
        throw new CliException("/config kept changing under us; " + word + " not written after " + ATTEMPTS + " attempts");
    }

    /**
     * Every agent rewrites its member key each cycle after reading the cluster, so a member key newer
     * than our write means that agent has seen the new flag.
     */
    private static void awaitAgents(Dcs dcs, long writtenAt, PrintWriter out) throws InterruptedException {
        out.println("Waiting for every agent to see it…");
        out.flush();
        Cluster c = LeaderWait.until(dcs, Duration.ofSeconds(60),
                x -> x.members().stream().allMatch(m -> m.updatedAtMillis() > writtenAt), "every agent seeing the change", out);
        out.println("Seen by " + c.members().size() + " agent(s).");
        out.flush();
    }
}
