package io.meridian.router.lag;

import io.meridian.core.cluster.Lsn;
import io.meridian.router.config.RouterConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Properties;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures one node several times a second over one pgjdbc connection, on its own thread so a
 * hung node never delays the others. Every wait is bounded by the monitor timeout.
 */
final class NodeProbe implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeProbe.class);
    // One round trip answers both roles: a primary has no replay position, a standby no current one.
    private static final String QUERY = "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() "
            + "THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text, pg_last_xact_replay_timestamp()";

    final String node;
    final String hostPort;
    private final RouterConfig.Monitor monitor;
    private final Consumer<Measurement> sink;
    private final Thread thread;
    private final Object wake = new Object();
    private volatile boolean running = true;
    private boolean pollNow;
    private long rttNanos = -1;
    private String lastError;

    NodeProbe(String node, String host, int port, RouterConfig.Monitor monitor, Consumer<Measurement> sink) {
        this.node = node;
        this.hostPort = new io.meridian.core.config.HostPort(host, port).toString();
        this.monitor = monitor;
        this.sink = sink;
        this.thread = new Thread(this, "meridian-probe-" + node);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        running = false;
        thread.interrupt();
    }

    /** Ask for a probe now instead of at the next interval (a read waiting for a min LSN). */
    void pollSoon() {
        synchronized (wake) {
            pollNow = true;
            wake.notifyAll();
        }
    }

    @Override
    public void run() {
        Connection conn = null;
        PreparedStatement stmt = null;
        while (running) {
            try {
                if (conn == null) {
                    conn = connect();
                    stmt = conn.prepareStatement(QUERY);
                    stmt.setQueryTimeout(Math.max(1, (int) Math.ceil(monitor.timeout().toMillis() / 1000.0)));
                    lastError = null;
                }
                long t0 = System.nanoTime();
                try (ResultSet rs = stmt.executeQuery()) {
                    rs.next();
                    long t1 = System.nanoTime();
                    // Smoothed like TCP's SRTT (1/8 gain), so one slow answer does not reorder regions.
                    rttNanos = rttNanos < 0 ? t1 - t0 : rttNanos + ((t1 - t0) - rttNanos) / 8;
                    Timestamp replayed = rs.getTimestamp(3);
                    sink.accept(new Measurement(rs.getBoolean(1), Lsn.ofNullable(rs.getString(2)),
                            replayed == null ? -1 : replayed.getTime(), rttNanos, t1));
                }
            } catch (SQLException e) {
                String msg = e.getMessage();
                if (!msg.equals(lastError)) {
                    LOG.warn("router cannot measure {} at {}: {}", node, hostPort, msg);
                    lastError = msg;
                }
                close(conn);
                conn = null;
                stmt = null;
            } catch (RuntimeException e) {
                LOG.error("probe of {} failed unexpectedly", node, e);
                close(conn);
                conn = null;
                stmt = null;
            }
            if (!pause()) {
                break;
            }
        }
        close(conn);
    }

    private boolean pause() {
        long deadline = System.nanoTime() + monitor.interval().toNanos();
        synchronized (wake) {
            try {
                while (running && !pollNow) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    wake.wait(Math.max(1, left / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            pollNow = false;
        }
        return running;
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", monitor.username());
        p.setProperty("password", monitor.password());
        int seconds = Math.max(1, (int) Math.ceil(monitor.timeout().toMillis() / 1000.0));
        p.setProperty("connectTimeout", Integer.toString(seconds));
        p.setProperty("loginTimeout", Integer.toString(seconds));
        p.setProperty("socketTimeout", Integer.toString(seconds + 1));
        p.setProperty("ApplicationName", "meridian-router-probe");
        p.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection("jdbc:postgresql://" + hostPort + "/" + monitor.database(), p);
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // Already broken; the next round reconnects.
            }
        }
    }
}
