package io.meridian.agent;

import io.meridian.core.cluster.Cluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One acknowledged write at a time, each with an increasing id, always to whoever etcd names
 * leader, like an application behind a Patroni-aware pool. Records which ids were acknowledged and
 * the longest gap between two acknowledged writes (the write downtime).
 */
final class Writer implements AutoCloseable {

    private final TestCluster cluster;
    private final Thread thread;
    private final Set<Long> acked = new ConcurrentSkipListSet<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private volatile boolean running = true;
    private volatile long lastAckNanos = System.nanoTime();
    private volatile long longestGapNanos;
    private volatile String lastTarget;

    Writer(TestCluster cluster) throws Exception {
        this.cluster = cluster;
        try (Connection c = cluster.connect(cluster.awaitLeader(java.time.Duration.ofSeconds(30)));
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS writes (id bigint PRIMARY KEY, at timestamptz DEFAULT now())");
        }
        thread = new Thread(this::run, "writer");
        thread.start();
    }

    private void run() {
        Connection conn = null;
        while (running) {
            try {
                if (conn == null) {
                    Cluster c = cluster.cluster();
                    if (!c.hasLeader()) {
                        Thread.onSpinWait();
                        continue;
                    }
                    lastTarget = c.leader().name();
                    conn = cluster.connect(lastTarget);
                }
                long id = nextId.get();
                try (PreparedStatement ps = conn.prepareStatement("INSERT INTO writes (id) VALUES (?) ON CONFLICT DO NOTHING")) {
                    ps.setLong(1, id);
                    ps.executeUpdate();
                }
                long now = System.nanoTime();
                longestGapNanos = Math.max(longestGapNanos, now - lastAckNanos);
                lastAckNanos = now;
                acked.add(id);
                nextId.incrementAndGet();
            } catch (Exception e) {
                closeQuietly(conn);
                conn = null;
                try {
                    Thread.sleep(20); // pacing between reconnect attempts, not a wait for a condition
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        closeQuietly(conn);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // broken anyway
            }
        }
    }

    long ackedCount() {
        return acked.size();
    }

    double longestGapSeconds() {
        return longestGapNanos / 1e9;
    }

    /** Stops writing and returns the acknowledged ids missing on {@code node}. */
    Set<Long> lostOn(String node) throws Exception {
        running = false;
        thread.join(10_000);
        Set<Long> missing = new java.util.TreeSet<>(acked);
        try (Connection c = cluster.connect(node); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT id FROM writes")) {
            while (rs.next()) {
                missing.remove(rs.getLong(1));
            }
        }
        return missing;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
