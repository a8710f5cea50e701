package io.meridian.lab.drill;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Whoever etcd names leader, as a smart client or the router follows it: connections go to the
 * leader member's server, and a worker drops a connection as soon as etcd names someone else
 * (the router does the same to a demoted leader). A watch brings changes at once; a poll twice a
 * second covers a watch that is reconnecting.
 */
public final class LeaderTarget implements WriteTarget {

    private final Dcs dcs;
    private final Function<Member, Dsn> dsnOf;
    private final AutoCloseable watch;
    private final ScheduledExecutorService poll;
    private volatile Dsn leader;
    private volatile Cluster last;

    /**
     * @param dcs   a read-only session; closed with this target
     * @param dsnOf how to reach a member's PostgreSQL (the lab's direct port, or the member's address)
     */
    public LeaderTarget(Dcs dcs, Function<Member, Dsn> dsnOf) {
        this.dcs = dcs;
        this.dsnOf = dsnOf;
        // A cold etcd client can miss its first deadline: give the first read a few tries so the
        // load does not start by reporting "no leader" for a leader that exists.
        long until = System.nanoTime() + 10_000_000_000L;
        do {
            refresh();
        } while (last == null && System.nanoTime() < until);
        this.watch = dcs.watch(this::update);
        this.poll = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "write-probe-leader-poll");
            t.setDaemon(true);
            return t;
        });
        poll.scheduleWithFixedDelay(this::refresh, 500, 500, TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        try {
            update(dcs.load());
        } catch (DcsException | RuntimeException e) {
            // etcd unreachable from here: keep the last known leader; the watch or the next poll catches up.
        }
    }

    private synchronized void update(Cluster c) {
        if (last != null && c.revision() < last.revision()) {
            return;
        }
        last = c;
        try {
            leader = c.leaderMember().map(dsnOf).orElse(null);
        } catch (RuntimeException e) {
            // a leader we cannot reach (no address, no credentials): writes wait as with no leader
            leader = null;
        }
    }

    /** The newest cluster record seen, or null before the first answer from etcd. */
    public Cluster cluster() {
        return last;
    }

    @Override
    public Dsn current() {
        return leader;
    }

    @Override
    public boolean abandon(Dsn connectedTo) {
        Dsn now = leader;
        return now != null && !now.hostPort().equals(connectedTo.hostPort());
    }

    @Override
    public void close() {
        poll.shutdownNow();
        try {
            watch.close();
        } catch (Exception e) {
            // closing a watch on a dead etcd: nothing left to release
        }
        dcs.close();
    }
}
