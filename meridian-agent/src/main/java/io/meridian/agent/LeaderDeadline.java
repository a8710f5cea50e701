package io.meridian.agent;

import io.meridian.core.dcs.LeaseRenewal;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fencing: leadership is a local deadline on the monotonic clock. etcd starts counting a renewed
 * lease only after it receives the renewal, so "sent at + the TTL etcd granted" is the earliest
 * moment another node can win the key (see {@link LeaseRenewal}). A leader that has not renewed by
 * {@code sent + granted TTL - margin} is fenced twice over: by this class's thread, and by the
 * {@link Keeper} process outside the JVM, armed with the same deadline, which still acts when this
 * JVM is frozen or dead. The TTL is always etcd's answer, never the configuration's: after a live
 * {@code ttl} change the lease may still run on the old one.
 */
final class LeaderDeadline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderDeadline.class);

    /** Called on the watchdog thread when the deadline passes while we lead. */
    interface Fence {
        void fence(String reason);
    }

    /** The fence outside this JVM (see {@link FenceKeeper}); each call returns within a bounded time. */
    interface Keeper {
        void arm(long deadlineNanos);

        void disarm();
    }

    private final Fence fence;
    private final Keeper keeper;
    private final Thread watchdog;
    private volatile long deadlineNanos = Long.MAX_VALUE;
    private volatile boolean armed;
    /** The lease the leader key is bound to: only its renewals move the deadline. */
    private volatile long leaseId;
    /** Unknown at start: a keeper left by an earlier run of the agent may be armed, so the first disarm is sent. */
    private boolean keeperArmed = true;

    LeaderDeadline(Fence fence, Keeper keeper) {
        this.fence = fence;
        this.keeper = keeper;
        this.watchdog = new Thread(this::watch, "leader-deadline");
        this.watchdog.setDaemon(true);
        this.watchdog.start();
    }

    /**
     * The leader key was just confirmed (acquired or renewed) on the lease {@code renewal} names.
     * The margin keeps the stop itself (a kill takes milliseconds, a loaded machine may schedule the
     * fence late) inside the lease. Empty means etcd's answer was lost: fail closed, fence now.
     */
    void renewed(Optional<LeaseRenewal> renewal, long marginMillis) {
        if (renewal.isEmpty()) {
            LOG.error("fencing: the leader key was confirmed but no lease renewal is recorded; deadline set to now");
            set(System.nanoTime());
            return;
        }
        leaseId = renewal.get().leaseId();
        set(renewal.get().earliestExpiryNanos() - TimeUnit.MILLISECONDS.toNanos(marginMillis));
    }

    /**
     * Only the lease was renewed (with the member key, which shares it). It moves the deadline only
     * if it is still the lease the leader key is bound to: a fresh lease granted after the old one
     * expired holds no leader key, however long its TTL.
     */
    void leaseRenewed(Optional<LeaseRenewal> renewal, long marginMillis) {
        if (armed && renewal.isPresent() && renewal.get().leaseId() == leaseId) {
            set(renewal.get().earliestExpiryNanos() - TimeUnit.MILLISECONDS.toNanos(marginMillis));
        }
    }

    /**
     * Failsafe mode: etcd is unreachable but every member answered us as leader, so none of them
     * will race for the key; leadership goes on for {@code ttl} from now without etcd's word.
     */
    void failsafe(long ttlMillis, long marginMillis) {
        set(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, ttlMillis - marginMillis)));
    }

    private synchronized void set(long deadline) {
        deadlineNanos = deadline;
        armed = true;
        keeperArmed = true;
        keeper.arm(deadline);
    }

    /** We no longer lead (released, demoted or never led): nothing to fence. */
    synchronized void disarm() {
        armed = false;
        deadlineNanos = Long.MAX_VALUE;
        if (keeperArmed) {
            keeperArmed = false;
            keeper.disarm();
        }
    }

    boolean armed() {
        return armed;
    }

    /** Milliseconds left before the fence fires, or -1 when disarmed. */
    long remainingMillis() {
        return armed ? TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()) : -1;
    }

    private void watch() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (armed && System.nanoTime() - deadlineNanos >= 0) {
                armed = false; // the keeper fires on its own at the same deadline
                LOG.error("fencing: the leader lease could expire now and was not renewed in time; stopping PostgreSQL immediately");
                try {
                    fence.fence("leader lease not renewed before its deadline");
                } catch (RuntimeException e) {
                    LOG.error("fencing failed: {}", e.toString());
                }
            }
        }
    }

    /** Stops this JVM's watchdog thread; the keeper outside keeps its deadline. */
    @Override
    public void close() {
        watchdog.interrupt();
    }
}
