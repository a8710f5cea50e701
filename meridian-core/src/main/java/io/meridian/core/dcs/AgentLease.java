package io.meridian.core.dcs;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
 *
 * <p>The lease follows the cluster's {@code ttl}: when the wanted TTL differs from the one the
 * held lease was granted with, {@link #follow} grants a new lease and moves every key bound to the
 * old one onto it in one transaction, then revokes the old one (see there).
 */
final class AgentLease {

    private static final Logger LOG = LoggerFactory.getLogger(AgentLease.class);

    /**
     * A lease as etcd last confirmed it: id, TTL it reported, local monotonic send time of that
     * request, and the TTL we asked for when granting it (etcd may grant more than asked: its
     * minimum TTL; comparing with what it granted would move the lease every cycle).
     */
    private record Grant(long id, long ttlSeconds, long sentNanos, long requestedSeconds) {
    }

    /** The wanted TTL; its own lock, not this object's, which is held across etcd round trips. */
    private final Object ttlLock = new Object();
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
        synchronized (ttlLock) {
            this.ttlSeconds = seconds;
        }
    }

    /** As {@link #setTtl}, but only upwards: a lease at least this long is wanted from now on. */
    void raiseTtl(double seconds) {
        synchronized (ttlLock) {
            if (seconds > ttlSeconds) {
                setTtl(seconds);
            }
        }
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
        if (grant != null && (follow(deadline) || renew(deadline))) {
            return grant.id;
        }
        long ttl = wantedSeconds();
        long sent = System.nanoTime();
        LeaseGrantResponse r = deadline.await(deadline.lease().grant(ttl), "lease grant (ttl " + ttl + " s)");
        grant = new Grant(r.getID(), r.getTTL(), sent, ttl);
        LOG.debug("granted lease {} ttl {} s", Long.toHexString(r.getID()), r.getTTL());
        return r.getID();
    }

    /** Rounded up: etcd must never expire the lease before our own deadline (ttl) says it may. */
    private long wantedSeconds() {
        return (long) Math.ceil(ttlSeconds);
    }

    /** The TTL the held lease was granted with (as asked for), or 0 when none is held. */
    long grantedTtlSeconds() {
        Grant g = grant;
        return g == null ? 0 : g.requestedSeconds;
    }

    /**
     * Brings the held lease to the wanted TTL when the two differ (a live {@code ttl} change):
     * grants a new lease, then in one transaction moves every key bound to the old lease onto it
     * (each compared at the modification revision read while it was bound to the old lease, so a key
     * that changed meanwhile, the leader key taken or deleted included, is not written back), then
     * revokes the old lease. Before the transaction the keys are on the old lease, after it on the
     * new one: never on none. When the move does not happen, the old lease stays held and an
     * exception says so; the caller's renewal fails with it, so nothing is renewed on the strength
     * of a TTL the key does not have, and the next cycle tries again. Lease-bound writes all come
     * from the HA loop's thread, so none lands on the old lease between the read and its revocation.
     *
     * @return true when the lease was moved (the new grant needs no keepalive); false when there was
     *         nothing to do, or the old lease had already expired (the caller then finds it gone)
     */
    synchronized boolean follow(CallDeadline deadline) throws DcsException {
        Grant old = grant;
        long want = wantedSeconds();
        if (old == null || old.requestedSeconds == want) {
            return false;
        }
        LeaseTimeToLiveResponse held = deadline.await(
                deadline.lease().timeToLive(old.id, LeaseOption.builder().withAttachedKeys().build()), "lease keys lookup");
        if (held.getTTL() <= 0) {
            expired(old.id);
            return false;
        }
        List<KeyValue> bound = boundKeys(deadline, old.id, held.getKeys());
        long sent = System.nanoTime();
        LeaseGrantResponse fresh = deadline.await(deadline.lease().grant(want), "lease grant (ttl " + want + " s)");
        List<Cmp> unchanged = new ArrayList<>();
        List<Op> puts = new ArrayList<>();
        for (KeyValue kv : bound) {
            unchanged.add(new Cmp(kv.getKey(), Cmp.Op.EQUAL, CmpTarget.modRevision(kv.getModRevision())));
            puts.add(Op.put(kv.getKey(), kv.getValue(), EtcdDcs.leased(fresh.getID())));
        }
        TxnResponse moved = deadline.await(deadline.kv().txn().If(unchanged.toArray(Cmp[]::new))
                .Then(puts.toArray(Op[]::new)).commit(), "move of " + bound.size() + " keys to a lease of ttl " + want + " s");
        // A move that timed out may still have been applied: then the new lease is not revoked (it
        // may hold the keys, for its whole TTL) and the next cycle moves them again, or the leader
        // key's check re-binds it to whichever lease we hold.
        if (!moved.isSucceeded()) {
            revokeQuietly(deadline, fresh.getID());
            throw new DcsException("lease ttl change from " + old.requestedSeconds + " s to " + want
                    + " s not applied: a key on the lease changed meanwhile; the old lease stays, retried next cycle");
        }
        grant = new Grant(fresh.getID(), fresh.getTTL(), sent, want);
        revokeQuietly(deadline, old.id);
        LOG.info("{} now has ttl {} s (was {} s): lease {} replaces {}, keys moved: {}",
                bound.stream().anyMatch(kv -> kv.getKey().toString(StandardCharsets.UTF_8).endsWith("/" + EtcdKeys.LEADER))
                        ? "leader lease" : "lease", want, old.requestedSeconds, Long.toHexString(fresh.getID()),
                Long.toHexString(old.id), bound.stream().map(kv -> kv.getKey().toString(StandardCharsets.UTF_8)).toList());
        return true;
    }

    /** The current records of {@code keys}, read in one transaction, keeping those still bound to lease {@code id}. */
    private static List<KeyValue> boundKeys(CallDeadline deadline, long id, List<ByteSequence> keys) throws DcsException {
        if (keys.isEmpty()) {
            return List.of();
        }
        TxnResponse r = deadline.await(deadline.kv().txn()
                .Then(keys.stream().map(k -> Op.get(k, GetOption.DEFAULT)).toArray(Op[]::new)).commit(), "read of the lease's keys");
        return r.getGetResponses().stream().flatMap(g -> g.getKvs().stream()).filter(kv -> kv.getLease() == id).toList();
    }

    /** A revocation whose failure costs nothing: the lease then holds no key and lapses at its TTL. */
    private static void revokeQuietly(CallDeadline deadline, long id) {
        try {
            deadline.await(deadline.lease().revoke(id), "lease revoke");
        } catch (DcsException e) {
            LOG.warn("could not revoke lease {}, which holds no key now (it lapses by itself): {}", Long.toHexString(id),
                    e.getMessage());
        }
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
        grant = new Grant(g.id, r.getTTL(), sent, g.requestedSeconds);
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
