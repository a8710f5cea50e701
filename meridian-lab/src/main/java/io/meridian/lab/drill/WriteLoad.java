package io.meridian.lab.drill;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The drill's write load: {@code concurrency} workers, each with one acknowledged write at a time
 * ({@code INSERT INTO meridian_drill}, autocommit, a new increasing id per attempt), reconnecting
 * every 50 ms while writes fail. Every attempt is kept (and handed to an optional sink, e.g. a
 * JSON-lines file) so that downtime, lost and split-brain writes can be worked out afterwards.
 */
public final class WriteLoad implements AutoCloseable {

    public static final String TABLE = "meridian_drill";
    /** A failed write is retried after this: fast enough to see recovery within 50 ms, slow enough not to spin. */
    static final long RETRY_MILLIS = 50;
    /** Ids start at the epoch microsecond times 1000: two probes never collide unless they write 1000 rows per microsecond. */
    private static final AtomicLong IDS = new AtomicLong(System.currentTimeMillis() * 1_000_000L
            + (System.nanoTime() / 1000) % 1000 * 1000);

    private final WriteTarget target;
    private final int concurrency;
    private final String name;
    private final Consumer<WriteAttempt> sink;
    private final ConcurrentLinkedQueue<WriteAttempt> attempts = new ConcurrentLinkedQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private final Object tableLock = new Object();
    private volatile boolean tableReady;
    private volatile boolean running;

    /**
     * @param name used as the connections' application_name and in thread names
     * @param sink receives every attempt as it ends, from the worker threads (may be null)
     */
    public WriteLoad(WriteTarget target, int concurrency, String name, Consumer<WriteAttempt> sink) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        this.target = target;
        this.concurrency = concurrency;
        this.name = name;
        this.sink = sink;
    }

    public synchronized WriteLoad start() {
        if (running) {
            throw new IllegalStateException("write load " + name + " already runs");
        }
        running = true;
        for (int i = 0; i < concurrency; i++) {
            int worker = i;
            Thread t = new Thread(() -> work(worker), name + "-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        return this;
    }

    /** Stops the workers; an attempt in flight ends within the socket timeout (3 s). */
    public synchronized void stop() throws InterruptedException {
        running = false;
        for (Thread t : workers) {
            t.join(5_000);
            if (t.isAlive()) {
                t.interrupt();
            }
        }
        workers.clear();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** Every attempt so far, ordered by start time. */
    public List<WriteAttempt> attempts() {
        List<WriteAttempt> out = new ArrayList<>(attempts);
        out.sort(Comparator.comparingLong(WriteAttempt::startNs));
        return out;
    }

    /** Ids of the acknowledged writes, in id order. */
    public long[] ackedIds() {
        return attempts.stream().filter(WriteAttempt::ok).mapToLong(WriteAttempt::id).sorted().toArray();
    }

    public long ackCount() {
        return attempts.stream().filter(WriteAttempt::ok).count();
    }

    private void work(int worker) {
        Connection conn = null;
        Dsn connectedTo = null;
        String server = null;
        PreparedStatement insert = null;
        while (running) {
            if (conn != null && target.abandon(connectedTo)) {
                close(conn);
                conn = null;
            }
            long id = IDS.getAndIncrement();
            long start = ProbeClock.nowNanos();
            Dsn dsn = conn != null ? connectedTo : target.current();
            String error = null;
            try {
                if (dsn == null) {
                    throw new SQLException("no target: etcd names no leader");
                }
                if (conn == null) {
                    connectedTo = dsn;
                    server = dsn.hostPort();
                    conn = DriverManager.getConnection(dsn.jdbcUrl(), dsn.properties("meridian-" + name));
                    conn.setAutoCommit(true);
                    server = serverOf(conn, server);
                    ensureTable(conn);
                    insert = conn.prepareStatement("INSERT INTO " + TABLE + " (id, worker, at) VALUES (?, ?, now())");
                }
                insert.setLong(1, id);
                insert.setInt(2, worker);
                insert.executeUpdate();
            } catch (SQLException | RuntimeException e) {
                error = oneLine(e);
            }
            WriteAttempt a = new WriteAttempt(id, worker, start, ProbeClock.nowNanos(), error == null,
                    server != null ? server : (dsn == null ? null : dsn.hostPort()), error);
            attempts.add(a);
            if (sink != null) {
                sink.accept(a);
            }
            if (error != null) {
                // Any failure moves a DSN list on: a replica accepts the connection but refuses the write.
                if (dsn != null) {
                    target.failed(dsn);
                }
                close(conn);
                conn = null;
                server = null;
                pause();
            }
        }
        close(conn);
    }

    /** The server's own address, so a write through a proxy names the node that took it. */
    private static String serverOf(Connection conn, String fallback) throws SQLException {
        try (Statement s = conn.createStatement();
             ResultSet r = s.executeQuery("SELECT host(inet_server_addr()), inet_server_port()")) {
            return r.next() && r.getString(1) != null ? r.getString(1) + ":" + r.getInt(2) : fallback;
        }
    }

    private void ensureTable(Connection conn) throws SQLException {
        if (tableReady) {
            return;
        }
        // One worker at a time: concurrent CREATE TABLE IF NOT EXISTS can still collide in pg_type.
        synchronized (tableLock) {
            if (!tableReady) {
                try (Statement s = conn.createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS " + TABLE
                            + " (id bigint PRIMARY KEY, worker int NOT NULL, at timestamptz NOT NULL DEFAULT now())");
                }
                tableReady = true;
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static void close(Connection conn) {
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException e) {
                // the server is gone; nothing to release on our side
            }
        }
    }

    static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        String first = nl < 0 ? m : m.substring(0, nl);
        if (e instanceof SQLException s && s.getSQLState() != null) {
            first = first + " [" + s.getSQLState() + "]";
        }
        return first;
    }
}
