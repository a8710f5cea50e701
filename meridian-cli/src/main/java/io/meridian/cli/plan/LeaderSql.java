package io.meridian.cli.plan;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;

/**
 * The leader's PostgreSQL, for what the agents do not publish: the databases' size, and a commit
 * probe that times single-session commits under the cluster's synchronous mode, to check the
 * model's floor against what the cluster does. Reached with a node file's superuser, or a JDBC URL
 * whose password pgjdbc finds itself (~/.pgpass, PGPASSFILE), never one from the command line.
 */
final class LeaderSql implements AutoCloseable {

    private final Connection connection;

    private LeaderSql(Connection connection) {
        this.connection = connection;
    }

    static LeaderSql open(String jdbcUrl, String user, String password) throws SQLException {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", "meridian plan");
        p.setProperty("connectTimeout", "10");
        return new LeaderSql(DriverManager.getConnection(jdbcUrl, p));
    }

    /** Bytes of every database that accepts connections. */
    long databaseBytes() throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT sum(pg_database_size(datname))::bigint FROM pg_database WHERE datallowconn")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** @param millis each commit's latency, in order; @param perSecond commits per second over the probe */
    record CommitProbe(int commits, double seconds, double medianMillis, double p95Millis) {
        double perSecond() {
            return seconds <= 0 ? Double.NaN : commits / seconds;
        }
    }

    /**
     * Commits one tiny transaction after another for {@code length}. Each writes a transactional
     * logical message (a WAL record and a transaction id, no table), so its commit waits for the
     * synchronous standbys exactly as an application's would.
     */
    CommitProbe probeCommits(Duration length) throws SQLException {
        connection.setAutoCommit(true);
        double[] lat = new double[1 << 16];
        int n = 0;
        long start = System.nanoTime();
        long end = start + length.toNanos();
        try (Statement s = connection.createStatement()) {
            while (System.nanoTime() < end && n < lat.length) {
                long t = System.nanoTime();
                s.execute("SELECT pg_logical_emit_message(true, 'meridian-plan', '')");
                lat[n++] = (System.nanoTime() - t) / 1e6;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (n == 0) {
            return new CommitProbe(0, seconds, Double.NaN, Double.NaN);
        }
        double[] sorted = Arrays.copyOf(lat, n);
        Arrays.sort(sorted);
        return new CommitProbe(n, seconds, sorted[n / 2], sorted[(int) Math.ceil(0.95 * n) - 1]);
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
