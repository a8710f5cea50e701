package io.meridian.router.it;

import static io.meridian.router.it.Clusters.cluster;
import static io.meridian.router.it.Clusters.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meridian.core.cluster.Role;
import io.meridian.router.ClusterView;
import io.meridian.router.Router;
import io.meridian.testkit.PgServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The router between pgjdbc and a real primary with a real streaming standby. The cluster view is
 * fed directly (the etcd feed has its own test), so each test sets exactly the state it needs.
 */
class RouterPostgresTest {

    static PgServer primary;
    static PgServer standby;
    static final AtomicLong REVISION = new AtomicLong(100);

    ClusterView view;
    Router router;

    @BeforeAll
    static void startPostgres() throws Exception {
        primary = PgServer.primary();
        standby = PgServer.standbyOf(primary);
        primary.execute("CREATE TABLE IF NOT EXISTS writes(id bigserial PRIMARY KEY, v text)");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (standby != null) {
            standby.close();
        }
        if (primary != null) {
            primary.close();
        }
    }

    @BeforeEach
    void startRouter() throws Exception {
        view = new ClusterView();
        router = Router.start(Clusters.config("paris", Duration.ofSeconds(30), null), view);
        leaderIsPrimary();
        standby.execute("SELECT pg_wal_replay_resume()");
        await().atMost(Duration.ofSeconds(10)).until(() -> router.lag().lag("s").fresh() && router.lag().lag("s").lagBytes() == 0);
    }

    @AfterEach
    void stopRouter() throws Exception {
        router.close();
        standby.execute("SELECT pg_wal_replay_resume()");
    }

    void leaderIsPrimary() {
        view.apply(cluster(REVISION.incrementAndGet(), "p", member("p", "paris", Role.PRIMARY, primary.port),
                member("s", "paris", Role.REPLICA, standby.port)));
    }

    Connection rw(Properties extra) throws SQLException {
        return PgServerConnections.open(router.rwAddress().getPort(), extra);
    }

    Connection ro(Properties extra) throws SQLException {
        return PgServerConnections.open(router.roAddress().getPort(), extra);
    }

    static int serverPort(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void writesFollowTheLeaderAndOldLeaderConnectionsAreClosed() throws Exception {
        try (Connection before = rw(null)) {
            assertThat(serverPort(before)).isEqualTo(primary.port);
            view.apply(cluster(REVISION.incrementAndGet(), "s", member("p", "paris", Role.REPLICA, primary.port),
                    member("s", "paris", Role.PRIMARY, standby.port)));
            await().atMost(Duration.ofSeconds(5)).until(() -> !before.isValid(1));
        }
        try (Connection after = rw(null)) {
            assertThat(serverPort(after)).isEqualTo(standby.port);
        }
        assertThat(router.metrics().registry.scrape().stream()
                .filter(m -> m.getMetadata().getName().equals("meridian_router_leader_changes")).findFirst()).isPresent();
    }

    @Test
    void aSessionOnTheOldLeaderIsToldWhyItEnds() throws Exception {
        try (Connection c = rw(null); Statement s = c.createStatement()) {
            CompletableFuture<SQLException> outcome = new CompletableFuture<>();
            Thread query = new Thread(() -> {
                try {
                    s.execute("SELECT pg_sleep(20)");
                    outcome.complete(null);
                } catch (SQLException e) {
                    outcome.complete(e);
                }
            });
            query.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> sleeping(primary) == 1);
            view.apply(cluster(REVISION.incrementAndGet(), "s", member("p", "paris", Role.REPLICA, primary.port),
                    member("s", "paris", Role.PRIMARY, standby.port)));
            SQLException e = outcome.get(10, TimeUnit.SECONDS);
            assertThat((Throwable) e).as("the query must fail, not finish on the old leader").isNotNull();
            assertThat(e.getSQLState()).isEqualTo("57P01");
            assertThat(e.getMessage()).contains("p is no longer the leader").contains("the leader is now s");
            query.join();
        }
    }

    static int sleeping(PgServer pg) throws SQLException {
        try (Connection c = pg.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(20)' AND state = 'active'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void noLeaderMeansReadWriteIsRefusedButReadsStillWork() throws Exception {
        try (Connection before = rw(null)) {
            view.apply(cluster(REVISION.incrementAndGet(), null, member("p", "paris", Role.UNKNOWN, primary.port),
                    member("s", "paris", Role.REPLICA, standby.port)));
            await().atMost(Duration.ofSeconds(5)).until(() -> !before.isValid(1));
        }
        assertThatThrownBy(() -> rw(null)).isInstanceOf(SQLException.class)
                .hasMessageContaining("has no leader")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57P03"));
        leaderIsPrimary();
        try (Connection c = rw(null)) {
            assertThat(serverPort(c)).isEqualTo(primary.port);
        }
    }

    @Test
    void staleViewRefusesNewWriteConnections() throws Exception {
        try (Router shortTrust = Router.start(Clusters.config("paris", Duration.ofMillis(500), null), new ClusterView())) {
            shortTrust.view().apply(cluster(REVISION.incrementAndGet(), "p", member("p", "paris", Role.PRIMARY, primary.port)));
            try (Connection c = PgServerConnections.open(shortTrust.rwAddress().getPort(), null)) {
                assertThat(serverPort(c)).isEqualTo(primary.port);
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThatThrownBy(() -> PgServerConnections.open(shortTrust.rwAddress().getPort(), null))
                            .hasMessageContaining("has not heard from etcd"));
        }
    }

    @Test
    void readsRespectTheLagBound() throws Exception {
        try (Connection c = ro(null)) {
            assertThat(serverPort(c)).isEqualTo(standby.port);
        }
        standby.execute("SELECT pg_wal_replay_pause()");
        primary.execute("INSERT INTO writes(v) SELECT repeat('x', 1000) FROM generate_series(1, 3000)");
        await().atMost(Duration.ofSeconds(10)).until(() -> router.lag().lag("s").lagBytes() > 1024 * 1024);
        try (Connection c = ro(null)) {
            assertThat(serverPort(c)).as("configured bound 1MB, standby paused").isEqualTo(primary.port);
        }
        try (Connection c = ro(PgServerConnections.options("-c meridian.max_lag=1GB"))) {
            assertThat(serverPort(c)).as("per-connection bound 1GB").isEqualTo(standby.port);
        }
        Properties timeBound = new Properties();
        timeBound.setProperty("meridian.max_lag", "1GB,200ms");
        await().atMost(Duration.ofSeconds(5)).until(() -> router.lag().lag("s").lagMillis() > 200);
        try (Connection c = ro(timeBound)) {
            assertThat(serverPort(c)).as("time bound 200ms, standby paused for longer").isEqualTo(primary.port);
        }
        standby.execute("SELECT pg_wal_replay_resume()");
        await().atMost(Duration.ofSeconds(10)).until(() -> router.lag().lag("s").lagBytes() == 0);
        try (Connection c = ro(null)) {
            assertThat(serverPort(c)).isEqualTo(standby.port);
        }
    }

    @Test
    void readsPreferTheRouterRegionThenTheConnectionRegion() throws Exception {
        view.apply(cluster(REVISION.incrementAndGet(), "p", member("p", "paris", Role.PRIMARY, primary.port),
                member("s-ny", "newyork", Role.REPLICA, standby.port), member("s-paris", "paris", Role.REPLICA, standby.port)));
        await().atMost(Duration.ofSeconds(10)).until(() -> router.lag().lag("s-ny").lagBytes() == 0
                && router.lag().lag("s-paris").lagBytes() == 0);
        try (Connection a = ro(null); Connection b = ro(null)) {
            serverPort(a);
            serverPort(b);
            assertThat(router.connections("s-paris")).as("both reads stay in the router's region").isEqualTo(2);
            assertThat(router.connections("s-ny")).isZero();
        }
        try (Connection c = ro(PgServerConnections.options("-c meridian.region=newyork"))) {
            serverPort(c);
            assertThat(router.connections("s-ny")).isEqualTo(1);
        }
    }

    @Test
    void minLsnNeverReturnsDataOlderThanTheClientsOwnWrite() throws Exception {
        standby.execute("SELECT pg_wal_replay_pause()");
        for (boolean paused : new boolean[] {true, false}) {
            if (!paused) {
                standby.execute("SELECT pg_wal_replay_resume()");
            }
            for (int i = 0; i < 5; i++) {
                String value = "w-" + paused + "-" + i + "-" + System.nanoTime();
                String lsn;
                try (Connection w = rw(null); Statement s = w.createStatement()) {
                    s.execute("INSERT INTO writes(v) VALUES ('" + value + "')");
                    try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()")) {
                        rs.next();
                        lsn = rs.getString(1);
                    }
                }
                try (Connection r = ro(PgServerConnections.options("-c meridian.min_lsn=" + lsn));
                     Statement s = r.createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(*) FROM writes WHERE v = '" + value + "'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("own write visible (paused=%s, lsn %s)", paused, lsn).isEqualTo(1);
                    if (paused) {
                        assertThat(serverPort(r)).as("paused replica cannot serve it").isEqualTo(primary.port);
                    }
                }
            }
        }
        // Once replay runs, a read-your-writes read goes to the replica after a short wait.
        String lsn;
        try (Connection w = rw(null); Statement s = w.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()")) {
            rs.next();
            lsn = rs.getString(1);
        }
        try (Connection r = ro(PgServerConnections.options("-c meridian.min_lsn=" + lsn))) {
            assertThat(serverPort(r)).isEqualTo(standby.port);
        }
    }

    @Test
    void scramPassesThroughAndBadPasswordsFailAsFromPostgres() throws Exception {
        primary.execute("DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app') THEN "
                + "CREATE ROLE app LOGIN PASSWORD 'app-secret'; END IF; END$$");
        Properties p = new Properties();
        p.setProperty("user", "app");
        p.setProperty("password", "app-secret");
        String url = "jdbc:postgresql://127.0.0.1:" + router.rwAddress().getPort() + "/postgres";
        try (Connection c = DriverManager.getConnection(url, p); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("app");
        }
        p.setProperty("password", "wrong");
        assertThatThrownBy(() -> DriverManager.getConnection(url, p)).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
    }

    @Test
    void cancelReachesTheServerRunningTheQuery() throws Exception {
        try (Connection c = rw(null); Statement s = c.createStatement()) {
            Thread canceller = new Thread(() -> {
                try {
                    await().pollDelay(Duration.ofMillis(300)).until(() -> true);
                    s.cancel();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            canceller.start();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> s.execute("SELECT pg_sleep(20)")).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            canceller.join();
        }
    }

    @Test
    void bulkBytesArriveIntactBothWaysWhenTheReceiverFallsBehind() throws Exception {
        primary.execute("CREATE TABLE IF NOT EXISTS bulk(id int PRIMARY KEY, v text)");
        primary.execute("TRUNCATE bulk");
        // 20 000 rows of 1 KiB: far more than any socket buffer, so sends come back short and the
        // relay must queue, then go back to writing straight through, without reordering a byte.
        java.security.MessageDigest sent = java.security.MessageDigest.getInstance("MD5");
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= 20_000; i++) {
            String v = Integer.toString(i, 36).repeat(1 + 1000 / Integer.toString(i, 36).length()).substring(0, 1000);
            rows.append(i).append('\t').append(v).append('\n');
            sent.update(v.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        Properties slow = new Properties();
        slow.setProperty("receiveBufferSize", "262144"); // a few loopback segments: the router outruns this client
        try (Connection c = rw(slow)) {
            var copy = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
            long in = copy.copyIn("COPY bulk FROM STDIN", new java.io.StringReader(rows.toString()));
            assertThat(in).isEqualTo(20_000);
            // The client stops reading after the first row until the router reports a read it
            // could not pass on: the server's 20 MB then fill every buffer on the way.
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream() {
                @Override
                public synchronized void write(byte[] b, int off, int len) {
                    if (size() == 0) {
                        await().atMost(Duration.ofSeconds(60)).until(() -> queuedToClient() > 0);
                    }
                    super.write(b, off, len);
                }
            };
            long n = copy.copyOut("COPY (SELECT id, v FROM bulk ORDER BY id) TO STDOUT", out);
            assertThat(n).isEqualTo(20_000);
            assertThat(out.toString(java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(rows.toString());
        }
        try (Connection c = PgServerConnections.open(primary.port, null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT md5(string_agg(v, '' ORDER BY id)) FROM bulk")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(java.util.HexFormat.of().formatHex(sent.digest()));
        }
        assertThat(queuedToClient()).as("reads queued behind the slow client").isPositive();
    }

    private double queuedToClient() {
        return router.metrics().registry.scrape().stream()
                .filter(m -> m.getMetadata().getPrometheusName().equals("meridian_router_queued_reads"))
                .flatMap(m -> m.getDataPoints().stream())
                .filter(d -> d.getLabels().get("direction").equals("server_to_client"))
                .mapToDouble(d -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) d).getValue())
                .sum();
    }
}
