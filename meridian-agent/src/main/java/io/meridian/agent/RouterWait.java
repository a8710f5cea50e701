package io.meridian.agent;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.RouterState;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The pause between taking the leader key and {@code pg_promote} when {@code router_wait_timeout} is
 * set, as Stolon's sentinel waits for its proxies' generation: every router that reports under
 * {@code routers/} must name this node as leader at a revision at or past this node's leader key,
 * which a router writes only after it has closed its read-write sessions to every other server. So
 * when the wait ends in agreement no client can still be writing through a router to the old
 * primary while the new one starts taking writes. A router that stays behind delays the promotion
 * by the timeout at most; it cannot block a failover.
 *
 * <p>The wait blocks the HA cycle, polling etcd, and keeps the leader lease renewed at the loop's
 * own cadence, so a timeout longer than the lease is safe. A wait cut short (etcd error) resumes in
 * the next cycle with what is left of its budget, not a fresh one.
 */
final class RouterWait {

    /**
     * Between two reads of the router reports. A promotion happens rarely and a range read of a few
     * small keys is cheap; a poll keeps router writes out of the HA loop's change watch.
     */
    static final long POLL_MILLIS = 25;

    /** Keeps the leader lease while waiting; false when the key is no longer ours. */
    interface LeaseRenewal {
        boolean renew() throws DcsException;
    }

    enum Verdict { PROMOTE, LOST_KEY, STOPPED }

    /** What to do next, and the words for the cycle's log line (null when the wait is off). */
    record Outcome(Verdict verdict, String sentence) {
    }

    private final Dcs dcs;
    private final String me;
    /** The leader key revision the current wait is for (0: none), and when it began. */
    private long waitingFor;
    private long sinceNanos;

    RouterWait(Dcs dcs, String me) {
        this.dcs = dcs;
        this.me = me;
    }

    /**
     * Waits, if {@code router_wait_timeout} asks for it, until every router follows this node.
     *
     * @param c the cluster read this cycle; when it does not show this node as leader yet (the key
     *          was taken after the read), the leader key's revision is read again
     */
    Outcome beforePromotion(Cluster c, LeaseRenewal renewal) throws DcsException {
        DynamicConfig cfg = c.config();
        if (cfg.routerWaitTimeout() <= 0) {
            return new Outcome(Verdict.PROMOTE, null);
        }
        Cluster now = c.isLeader(me) ? c : dcs.load();
        if (!now.isLeader(me)) {
            waitingFor = 0;
            return new Outcome(Verdict.LOST_KEY, "lost the leader key before promoting (now "
                    + (now.hasLeader() ? now.leader().name() : "nobody") + " holds it)");
        }
        long revision = now.leader().revision();
        if (waitingFor != revision) {
            waitingFor = revision;
            sinceNanos = System.nanoTime();
        }
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(cfg.routerWaitTimeoutMillis());
        // The loop's own renewal cadence: loop_wait + 2 * retry_timeout <= ttl keeps the lease alive.
        long renewEveryNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(100, cfg.loopWaitMillis()));
        long renewedNanos = System.nanoTime();
        while (true) {
            List<RouterState> routers = dcs.routers();
            List<RouterState> behind = routers.stream().filter(r -> !r.follows(me, revision)).toList();
            long waited = System.nanoTime() - sinceNanos;
            if (behind.isEmpty()) {
                waitingFor = 0;
                return new Outcome(Verdict.PROMOTE, routers.isEmpty()
                        ? "no router reports under routers/ to wait for"
                        : (routers.size() == 1 ? "router " : "routers ") + names(routers) + " follow"
                        + (routers.size() == 1 ? "s" : "") + " me as of revision " + revision + " after "
                        + TimeUnit.NANOSECONDS.toMillis(waited) + " ms");
            }
            if (waited >= timeoutNanos) {
                waitingFor = 0;
                return new Outcome(Verdict.PROMOTE, behind.stream().map(RouterWait::describe)
                        .collect(Collectors.joining(", ")) + " after the " + DynamicConfigParser.fmt(cfg.routerWaitTimeout())
                        + " s router_wait_timeout (leader key at revision " + revision + "); promoting anyway");
            }
            if (System.nanoTime() - renewedNanos >= renewEveryNanos) {
                long sent = System.nanoTime();
                if (!renewal.renew()) {
                    waitingFor = 0;
                    return new Outcome(Verdict.LOST_KEY, "lost the leader key while waiting for routers "
                            + names(behind) + "; not promoting");
                }
                renewedNanos = sent;
            }
            try {
                Thread.sleep(Math.min(POLL_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos - waited))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(Verdict.STOPPED, "interrupted while waiting for routers " + names(behind)
                        + "; not promoting");
            }
        }
    }

    private static String names(List<RouterState> routers) {
        return routers.stream().map(RouterState::router).collect(Collectors.joining(", "));
    }

    private static String describe(RouterState r) {
        return "router " + r.router() + " still at revision " + r.revision() + " following "
                + (r.leader() == null ? "no leader" : r.leader());
    }
}
