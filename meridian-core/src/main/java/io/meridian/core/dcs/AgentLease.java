package io.meridian.core.dcs;

import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This agent's one etcd lease: its member key, its leader key and its initialize claim are bound
 * to it. Renewed by one keepalive per HA cycle (never by a background stream), so a stuck agent
 * loop lets the lease lapse just as a dead agent would.
 *
 * <p>The remaining time is counted from when the renewal request was <em>sent</em>: etcd renewed
 * the lease at some moment after that, so its expiry is no earlier than send time + TTL. Counting
 * from the receive time would overstate our margin by one round trip.
 */
final class AgentLease {

    private static final Logger LOG = LoggerFactory.getLogger(AgentLease.class);

    /** A lease as etcd last confirmed it: id, TTL it reported, local monotonic send time of that request. */
    private record Grant(long id, long ttlSeconds, long sentNanos) {
    }

    private volatile double ttlSeconds;
    private volatile Grant grant;

    /** The lease is renewed through whichever client each call uses: its id is valid on every member. */
    AgentLease(double ttlSeconds) {
        setTtl(ttlSeconds);
    }

    void setTtl(double seconds) {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("lease ttl must be positive, got " + seconds);
        }
        this.ttlSeconds = seconds;
    }

    /** The lease as etcd last confirmed it (grant or keepalive), or null when none is held. */
    LeaseRenewal lastRenewal() {
        Grant g = grant;
        return g == null ? null : new LeaseRenewal(g.id, g.sentNanos, TimeUnit.SECONDS.toMillis(g.ttlSeconds));
    }

    /** Current lease id, or 0 when none is held. */
    long id() {
        Grant g = grant;
        return g == null ? 0 : g.id;
    }

    /** Renews the lease, granting a fresh one when there is none or etcd no longer knows it. */
    synchronized long ensure(CallDeadline deadline) throws DcsException {
        if (grant != null && renew(deadline)) {
            return grant.id;
        }
        // Rounded up: etcd must never expire the lease before our own deadline (ttl) says it may.
        long ttl = (long) Math.ceil(ttlSeconds);
        long sent = System.nanoTime();
        LeaseGrantResponse r = deadline.await(deadline.lease().grant(ttl), "lease grant (ttl " + ttl + " s)");
        grant = new Grant(r.getID(), r.getTTL(), sent);
        LOG.debug("granted lease {} ttl {} s", Long.toHexString(r.getID()), r.getTTL());
        return r.getID();
    }

    /**
     * One keepalive. False when the lease is gone etcd-side (expired or revoked): every key bound to
     * it has been deleted, so whatever we held is lost.
     */
    synchronized boolean renew(CallDeadline deadline) throws DcsException {
        Grant g = grant;
        if (g == null) {
            return false;
        }
        long sent = System.nanoTime();
        LeaseKeepAliveResponse r;
        try {
            r = deadline.await(deadline.lease().keepAliveOnce(g.id), "lease keepalive");
        } catch (DcsException e) {
            if (isLeaseNotFound(e)) {
                expired(g.id);
                return false;
            }
            throw e;
        }
        if (r.getTTL() <= 0) {
            expired(g.id);
            return false;
        }
        grant = new Grant(g.id, r.getTTL(), sent);
        return true;
    }

    /**
     * Runs a write bound to the lease, renewing or granting it first. If etcd says the lease is gone
     * (it expired between our keepalive and the write), a fresh one is granted and the write is
     * tried once more: every such write is a create-if-absent or a plain put, both safe to redo.
     */
    <T> T write(CallDeadline deadline, String what, LongFunction<CompletableFuture<T>> write)
            throws DcsException {
        long id = ensure(deadline);
        try {
            return deadline.await(write.apply(id), what);
        } catch (DcsException e) {
            if (!isLeaseNotFound(e)) {
                throw e;
            }
            forget(id);
            return deadline.await(write.apply(ensure(deadline)), what);
        }
    }

    private synchronized void forget(long id) {
        if (grant != null && grant.id == id) {
            expired(id);
        }
    }

    /** Revokes the lease at once, deleting every key bound to it (graceful shutdown). */
    synchronized void revoke(CallDeadline deadline) throws DcsException {
        Grant g = grant;
        grant = null;
        if (g != null) {
            try {
                deadline.await(deadline.lease().revoke(g.id), "lease revoke");
            } catch (DcsException e) {
                if (!isLeaseNotFound(e)) {
                    throw e;
                }
            }
        }
    }

    double remainingSeconds() {
        Grant g = grant;
        if (g == null) {
            return -1;
        }
        double elapsed = (System.nanoTime() - g.sentNanos) / (double) TimeUnit.SECONDS.toNanos(1);
        return Math.max(0, g.ttlSeconds - elapsed);
    }

    private void expired(long id) {
        LOG.info("lease {} expired or was revoked in etcd", Long.toHexString(id));
        grant = null;
    }

    /** etcd answers "etcdserver: requested lease not found" for an expired or revoked lease. */
    static boolean isLeaseNotFound(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.contains("lease not found")) {
                return true;
            }
        }
        return false;
    }
}
