package io.meridian.core.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
import io.meridian.core.config.HostPort;
import io.meridian.core.config.NodeConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real PostgreSQL 15: one story, in order — bootstrap, clone, stream, promote, rewind the old
 * primary after it wrote on its own (split brain), and follow the new one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalPostgresTest {

    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final NodeConfig.Credentials SUPER = new NodeConfig.Credentials("admin", "super-Secret-1");
    private static final NodeConfig.Credentials REPL = new NodeConfig.Credentials("replicator", "repl:Secret\\2");
    private static final Map<String, String> CLUSTER = Map.of("shared_buffers", "16MB", "max_connections", "30");

    private Path root;
    private NodeConfig alphaConfig;
    private NodeConfig betaConfig;
    private NodeConfig deltaConfig;
    private LocalPostgres alpha;
    private LocalPostgres beta;
    private LocalPostgres delta;
    private final Map<String, Long> timings = new LinkedHashMap<>();

    @BeforeAll
    void setUp() throws IOException {
        root = Files.createTempDirectory(Path.of("/tmp"), "meridian-pg-");
        // PostgreSQL runs as another user: it must be able to traverse to its folders.
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        alphaConfig = node("alpha", freePort());
        betaConfig = node("beta", freePort());
        deltaConfig = node("delta", freePort());
        alpha = new LocalPostgres(alphaConfig);
        beta = new LocalPostgres(betaConfig);
        delta = new LocalPostgres(deltaConfig);
    }

    @AfterAll
    void tearDown() throws IOException {
        for (LocalPostgres p : new LocalPostgres[] {alpha, beta, delta}) {
            try {
                p.stop("immediate", 20);
            } catch (Exception e) {
                System.err.println("teardown stop: " + e.getMessage());
            }
        }
        System.out.println("timings (ms): " + timings);
        DataDirectory.deleteTree(root);
    }

    @Test
    @Order(1)
    void initdbThenStartAsPrimary() throws Exception {
        assertThat(alpha.hasData()).isFalse();
        String systemId = timed("initdb", () -> alpha.initdb());
        assertThat(systemId).matches("\\d{10,}");
        assertThat(Files.readString(alphaConfig.postgresql().dataDir().resolve("postgresql.conf")))
                .endsWith("include_if_exists = 'meridian.conf'\n");
        timed("start primary", () -> { alpha.start(null, null, CLUSTER, 60); return null; });

        // The first connection of the JVM loads pgjdbc; on a loaded machine it may miss one cycle.
        await().atMost(Duration.ofSeconds(10)).until(() -> alpha.observe().running());
        PgState s = alpha.observe();
        assertThat(s.inRecovery()).isFalse();
        assertThat(s.timeline()).isEqualTo(1);
        assertThat(s.systemId()).isEqualTo(systemId);
        assertThat(s.writeLsn().value()).isPositive();
        assertThat(s.walBytesTotal()).isEqualTo(s.writeLsn().value());
        assertThat(alpha.postmasterPid()).isPositive();
        assertThat(alpha.logFile()).exists();
        assertThat(alphaConfig.postgresql().dataDir().resolve(alpha.logFile().getFileName())).doesNotExist();
    }

    @Test
    @Order(2)
    void replicationRoleCanLogInAndItsPasswordNeverReachesTheLog() throws Exception {
        alpha.ensureReplicationRole();
        alpha.ensureReplicationRole(); // idempotent: second call alters
        try (Connection c = PgConnect.open("127.0.0.1", port(alphaConfig), REPL, 5, 10);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT rolreplication, rolsuper FROM pg_roles WHERE rolname = current_user")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).isTrue();
            assertThat(rs.getBoolean(2)).isFalse();
        }
        assertThat(Files.readString(alpha.logFile())).doesNotContain(REPL.password()).doesNotContain(SUPER.password());
    }

    @Test
    @Order(3)
    void cloneStreamsThroughItsSlotAndCatchesUp() throws Exception {
        List<String> progress = new ArrayList<>();
        timed("basebackup", () -> { beta.basebackup(member(alphaConfig), "beta", progress::add); return null; });
        assertThat(progress).isNotEmpty();
        assertThat(beta.hasData()).isTrue();
        assertThat(betaConfig.postgresql().dataDir().resolve("alpha.log")).doesNotExist();
        timed("start standby", () -> { beta.start(member(alphaConfig), "beta", CLUSTER, 60); return null; });
        assertThat(betaConfig.postgresql().dataDir().resolve("standby.signal")).exists();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            PgState s = beta.observe();
            assertThat(s.inRecovery()).isTrue();
            assertThat(s.streaming()).isTrue();
            assertThat(s.receiverHost()).isEqualTo("127.0.0.1");
            assertThat(s.timeline()).isEqualTo(1);
        });
        sql(alphaConfig, "CREATE TABLE t (id int primary key, who text)", "INSERT INTO t VALUES (1, 'before split')");
        var written = alpha.observe().writeLsn();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            PgState s = beta.observe();
            assertThat(s.replayLsn()).isGreaterThanOrEqualTo(written);
            assertThat(s.replayLagSeconds()).isZero();
        });
        PgState primary = alpha.observe();
        assertThat(primary.replicas()).singleElement().satisfies(r -> {
            assertThat(r.applicationName()).isEqualTo("beta");
            assertThat(r.state()).isEqualTo("streaming");
        });
        assertThat(primary.slots()).singleElement().satisfies(sl -> {
            assertThat(sl.name()).isEqualTo("beta");
            assertThat(sl.physical()).isTrue();
            assertThat(sl.active()).isTrue();
        });
        assertThat(count(betaConfig, "SELECT count(*) FROM t")).isEqualTo(1);
    }

    @Test
    @Order(4)
    void syncSlotsCreatesWantedAndDropsOnlyDroppable() throws Exception {
        alpha.syncSlots(List.of("beta", "gamma"), List.of());
        assertThat(slotNames(alpha)).containsExactlyInAnyOrder("beta", "gamma");
        alpha.syncSlots(List.of("beta"), List.of("gamma", "beta"));
        assertThat(slotNames(alpha)).containsExactly("beta");
        alpha.syncSlots(List.of(), List.of("beta")); // active: kept until its WAL sender leaves
        assertThat(slotNames(alpha)).containsExactly("beta");
        alpha.checkpoint();
    }

    @Test
    @Order(5)
    void cleanlyStoppedStandbyHasNotDiverged() throws Exception {
        beta.stop("fast", 60);
        assertThat(beta.postmasterPid()).isEqualTo(-1);
        assertThat(beta.observe()).isEqualTo(PgState.STOPPED);
        assertThat(beta.divergedFrom(member(alphaConfig))).isFalse();
        // A new controller (agent restart) reads its role back from the rendered file.
        LocalPostgres restarted = new LocalPostgres(betaConfig);
        restarted.reload(CLUSTER);
        assertThat(Files.readString(betaConfig.postgresql().dataDir().resolve("meridian.conf")))
                .contains("primary_slot_name = 'beta'");
        beta.start(member(alphaConfig), "beta", CLUSTER, 60);
        await().atMost(Duration.ofSeconds(30)).until(() -> beta.observe().streaming());
    }

    @Test
    @Order(6)
    void promotedStandbyMovesToTimelineTwo() throws Exception {
        timed("promote", () -> { beta.promote(60); return null; });
        PgState s = beta.observe();
        assertThat(s.inRecovery()).isFalse();
        assertThat(s.timeline()).isEqualTo(2);
        assertThat(betaConfig.postgresql().dataDir().resolve("standby.signal")).doesNotExist();
        sql(betaConfig, "INSERT INTO t VALUES (2, 'new leader')");
        // Split brain: the old primary still accepts a write on timeline 1.
        sql(alphaConfig, "INSERT INTO t VALUES (3, 'lost write')");
        assertThat(alpha.observe().timeline()).isEqualTo(1);
    }

    @Test
    @Order(7)
    void divergedOldPrimaryIsRewoundAndFollowsTheNewLeader() throws Exception {
        alpha.stop("immediate", 30);
        assertThat(alpha.divergedFrom(member(betaConfig))).isTrue();
        beta.syncSlots(List.of("alpha"), List.of("beta"));
        List<String> progress = new ArrayList<>();
        boolean rewound = timed("rewind", () -> alpha.rewind(member(betaConfig), progress::add));
        assertThat(rewound).as("pg_rewind output: %s", progress).isTrue();
        assertThat(alpha.divergedFrom(member(betaConfig))).isFalse();
        timed("start rewound standby", () -> { alpha.start(member(betaConfig), "alpha", CLUSTER, 60); return null; });

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            PgState s = alpha.observe();
            assertThat(s.inRecovery()).isTrue();
            assertThat(s.streaming()).isTrue();
            assertThat(s.timeline()).isEqualTo(2);
        });
        sql(betaConfig, "INSERT INTO t VALUES (4, 'after rejoin')");
        await().atMost(Duration.ofSeconds(30)).until(() -> count(alphaConfig, "SELECT count(*) FROM t WHERE id = 4") == 1);
        assertThat(count(alphaConfig, "SELECT count(*) FROM t WHERE id = 3")).as("split-brain write is gone").isZero();
        assertThat(beta.observe().slots()).anySatisfy(sl -> {
            assertThat(sl.name()).isEqualTo("alpha");
            assertThat(sl.active()).isTrue();
        });
    }

    @Test
    @Order(8)
    void startRefusesARunningServerAndRewindRefusesToTouchIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> alpha.start(member(betaConfig), "alpha", CLUSTER, 5))
                .hasMessageContaining("already running");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> alpha.rewind(member(betaConfig), l -> { }))
                .hasMessageContaining("stop it first");
    }

    @Test
    @Order(9)
    void standbyHoldingOnlyTheNewTimelinesHistoryHasNotDiverged() throws Exception {
        // delta streams from beta beside alpha; beta stops cleanly (both standbys receive its
        // shutdown checkpoint) and alpha is promoted to timeline 3.
        delta.basebackup(member(betaConfig), "delta", l -> { });
        delta.start(member(betaConfig), "delta", CLUSTER, 60);
        await().atMost(Duration.ofSeconds(30)).until(() -> delta.observe().streaming());
        beta.stop("fast", 60);
        alpha.promote(60);
        assertThat(alpha.observe().timeline()).isEqualTo(3);

        // Pointed at alpha before alpha has its slot: the WAL receiver fetches 00000003.history,
        // then is refused, so delta holds the new timeline's history and no WAL on it.
        delta.follow(member(alphaConfig), "delta", CLUSTER);
        Path history = deltaConfig.postgresql().dataDir().resolve("pg_wal/00000003.history");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(history));
        // While it runs, the agent reads the same answer from the history file: no need to stop it.
        Lsn fork = delta.forkPoint(3, 2);
        assertThat(fork).isNotNull();
        assertThat(delta.observe().replayLsn()).isLessThanOrEqualTo(fork);
        assertThat(delta.forkPoint(3, 1)).isLessThan(fork);
        assertThat(delta.forkPoint(4, 2)).isNull();
        delta.stop("fast", 60);
        assertThat(delta.divergedFrom(member(alphaConfig))).as("its WAL ends on timeline 2, before alpha's fork").isFalse();

        alpha.syncSlots(List.of("delta"), List.of());
        delta.start(member(alphaConfig), "delta", CLUSTER, 60);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            PgState s = delta.observe();
            assertThat(s.streaming()).isTrue();
            assertThat(s.timeline()).isEqualTo(3);
        });
        sql(alphaConfig, "INSERT INTO t VALUES (5, 'on timeline 3')");
        await().atMost(Duration.ofSeconds(30)).until(() -> count(deltaConfig, "SELECT count(*) FROM t WHERE id = 5") == 1);
    }

    @Test
    @Order(10)
    void failedCloneLeavesNoClusterAndNamesTheCause() throws Exception {
        NodeConfig good = node("gamma", freePort());
        var pg = good.postgresql();
        NodeConfig wrongPassword = new NodeConfig(good.source(), good.cluster(), good.name(), good.region(), null,
                new NodeConfig.Postgres(pg.binDir(), pg.dataDir(), pg.listen(), pg.connectAddress(), pg.osUser(),
                        SUPER, new NodeConfig.Credentials(REPL.username(), "not-the-password"), pg.parameters(), pg.pgHba()),
                null, null, null);
        LocalPostgres gamma = new LocalPostgres(wrongPassword);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> gamma.basebackup(member(alphaConfig), "gamma", l -> { }))
                .isInstanceOf(PostgresException.class)
                .hasMessageContaining("pg_basebackup").hasMessageContaining("password authentication failed");
        assertThat(gamma.hasData()).isFalse();
        try (var left = Files.list(pg.dataDir())) {
            assertThat(left).isEmpty();
        }
        alpha.syncSlots(List.of("delta"), List.of("gamma"));
        assertThat(slotNames(alpha)).containsExactly("delta");

        alpha.stop("fast", 60);
        alpha.wipe();
        assertThat(alpha.hasData()).isFalse();
    }

    // ---- helpers ----

    private NodeConfig node(String name, int port) {
        Path data = root.resolve(name).resolve("data");
        var pg = new NodeConfig.Postgres(BIN, data, new HostPort("127.0.0.1", port), new HostPort("127.0.0.1", port),
                "postgres", SUPER, REPL, Map.of("work_mem", "4MB"), List.of());
        return new NodeConfig(root.resolve(name + ".yaml"), "test", name, "paris", null, pg, null, null, null);
    }

    private static Member member(NodeConfig c) {
        HostPort hp = c.postgresql().connectAddress();
        return new Member(c.name(), c.region(), Role.PRIMARY, "running", 0, null, null, null, null, 0,
                hp.host(), hp.port(), null, null, 0);
    }

    private static int port(NodeConfig c) {
        return c.postgresql().listen().port();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void sql(NodeConfig c, String... statements) throws SQLException {
        try (Connection conn = PgConnect.open("127.0.0.1", port(c), SUPER, 5, 30); Statement st = conn.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static long count(NodeConfig c, String query) throws SQLException {
        try (Connection conn = PgConnect.open("127.0.0.1", port(c), SUPER, 5, 30); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Set<String> slotNames(LocalPostgres p) {
        return Set.copyOf(p.observe().slots().stream().map(PgState.SlotInfo::name).toList());
    }

    @FunctionalInterface
    private interface Step<T> {
        T run() throws Exception;
    }

    private <T> T timed(String what, Step<T> step) throws Exception {
        long t0 = System.nanoTime();
        T result = step.run();
        timings.put(what, (System.nanoTime() - t0) / 1_000_000);
        return result;
    }
}
