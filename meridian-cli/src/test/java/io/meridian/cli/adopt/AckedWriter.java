package io.meridian.cli.adopt;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Supplier;

/**
 * One acknowledged insert at a time with increasing ids, to whichever server {@code target} names
 * (host:port), reconnecting after any error. Records the acknowledged ids and the longest gap
 * between two acknowledgements: the write downtime an application saw.
 */
final class AckedWriter implements AutoCloseable {

    private final Supplier<String> target;
    private final Properties login = new Properties();
    private final Set<Long> acked = new ConcurrentSkipListSet<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long lastAckNanos;
    private volatile long longestGapNanos;
    private long nextId = 1;

    AckedWriter(Supplier<String> target, String user, String password) {
        this.target = target;
        login.setProperty("user", user);
        login.setProperty("password", password);
        login.setProperty("connectTimeout", "2");
        login.setProperty("socketTimeout", "5");
        // With several hosts: the one that accepts writes, as a Patroni-era client finds it.
        login.setProperty("targetServerType", "primary");
        thread = new Thread(this::run, "acked-writer");
        thread.setDaemon(true);
        lastAckNanos = System.nanoTime();
        thread.start();
    }

    private void run() {
        Connection conn = null;
        while (running) {
            try {
                if (conn == null) {
                    conn = DriverManager.getConnection("jdbc:postgresql://" + target.get() + "/postgres", login);
                }
                try (PreparedStatement ps = conn.prepareStatement("INSERT INTO acked (id) VALUES (?)")) {
                    ps.setLong(1, nextId);
                    ps.executeUpdate();
                }
                long now = System.nanoTime();
                longestGapNanos = Math.max(longestGapNanos, now - lastAckNanos);
                lastAckNanos = now;
                acked.add(nextId++);
            } catch (SQLException e) {
                if (e.getMessage() != null && e.getMessage().contains("duplicate key")) {
                    nextId++; // committed, but the acknowledgement was lost: not counted as acknowledged
                }
                close(conn);
                conn = null;
                Thread.onSpinWait();
            }
        }
        close(conn);
    }

    int count() {
        return acked.size();
    }

    long longestGapMillis() {
        return longestGapNanos / 1_000_000;
    }

    /** The longest gap so far, and a new measurement from now on. */
    long takeLongestGapMillis() {
        long gap = longestGapMillis();
        longestGapNanos = 0;
        return gap;
    }

    /** Acknowledged ids the server at {@code hostPort} does not hold. */
    Set<Long> missingOn(String hostPort, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        Set<Long> present = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + hostPort + "/postgres", p);
             ResultSet rs = c.createStatement().executeQuery("SELECT id FROM acked")) {
            while (rs.next()) {
                present.add(rs.getLong(1));
            }
        }
        Set<Long> missing = new HashSet<>(acked);
        missing.removeAll(present);
        return missing;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // broken already
            }
        }
    }
}
