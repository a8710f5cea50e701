package io.meridian.agent;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fencing: leadership is a local deadline on the monotonic clock. etcd starts counting a renewed
 * lease only after it receives the renewal, so "sent at + ttl" is the earliest moment another node
 * can win the key. A leader that has not renewed by {@code sent + ttl - margin} stops PostgreSQL
 * with an immediate shutdown, whether or not its HA loop is stuck: never two writers.
 */
final class LeaderDeadline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderDeadline.class);

    /** Called on the watchdog thread when the deadline passes while we lead. */
    interface Fence {
        void fence(String reason);
    }

    private final Fence fence;
    private final Thread watchdog;
    private volatile long deadlineNanos = Long.MAX_VALUE;
    private volatile boolean armed;

    LeaderDeadline(Fence fence) {
        this.fence = fence;
        this.watchdog = new Thread(this::watch, "leader-deadline");
        this.watchdog.setDaemon(true);
        this.watchdog.start();
    }

    /**
     * Records a successful renewal whose request left at {@code sentNanos}. The margin keeps the
     * stop itself (an immediate shutdown takes tens of milliseconds) inside the lease.
     */
    void renewed(long sentNanos, long ttlMillis, long marginMillis) {
        deadlineNanos = sentNanos + TimeUnit.MILLISECONDS.toNanos(Math.max(0, ttlMillis - marginMillis));
        armed = true;
    }

    /** We no longer lead (released, demoted or never led): nothing to fence. */
    void disarm() {
        armed = false;
        deadlineNanos = Long.MAX_VALUE;
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
                armed = false;
                LOG.error("fencing: the leader lease could expire now and was not renewed in time; stopping PostgreSQL immediately");
                try {
                    fence.fence("leader lease not renewed before its deadline");
                } catch (RuntimeException e) {
                    LOG.error("fencing failed: {}", e.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        watchdog.interrupt();
    }
}
