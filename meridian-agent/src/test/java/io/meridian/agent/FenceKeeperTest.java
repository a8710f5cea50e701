package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.core.config.HostPort;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.postgres.LocalPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The fence keeper process against a real PostgreSQL 15 and a client connected straight to it:
 * once its deadline passes with no new one, no commit is acknowledged any more, whatever the JVM
 * that armed it does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FenceKeeperTest {

    /**
     * How late after its deadline the keeper may still let a commit through: its read timeout,
     * fork-free clock read and three kills, on a loaded 2-core machine. HaLoop's margin (at least
     * 1 s) is what covers this in production.
     */
    private static final long TOLERANCE_MILLIS = 300;
    private static final NodeConfig.Credentials SUPER = new NodeConfig.Credentials("postgres", "fence-Secret-1");

    private Path root;
    private Path fenceDir;
    private NodeConfig node;
    private LocalPostgres pg;

    @BeforeAll
    void setUp() throws Exception {
        root = Files.createTempDirectory(Path.of("/tmp"), "meridian-fence-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        var postgres = new NodeConfig.Postgres(Path.of("/usr/lib/postgresql/15/bin"), root.resolve("pg").resolve("data"),
                new HostPort("127.0.0.1", port), new HostPort("127.0.0.1", port), "postgres", SUPER,
                new NodeConfig.Credentials("replicator", "fence-Secret-2"), Map.of(), List.of());
        node = new NodeConfig(root.resolve("pg.yml"), "test", "pg", "paris", null, postgres, null, null, null);
        fenceDir = node.fence().dir();
        pg = new LocalPostgres(node);
        pg.initdb();
    }

    @BeforeEach
    void postgresRuns() throws Exception {
        long pm = pg.postmasterPid();
        if (pm <= 0 || !running(pm)) {
            // A fenced postmaster stays a zombie until init reaps it; LocalPostgres counts it until then.
            await().atMost(Duration.ofSeconds(10)).until(() -> pg.postmasterPid() <= 0);
            pg.start(null, null, Map.of(), 60);
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS writes (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())");
        }
    }

    @AfterEach
    void noKeeperLeft() throws IOException {
        Path log = fenceDir.resolve("keeper.log");
        if (Files.exists(log)) {
            System.out.print("keeper.log:\n" + Files.readString(log));
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> keepers().isEmpty());
    }

    @AfterAll
    void tearDown() throws IOException {
        try {
            pg.stop("immediate", 20);
        } catch (Exception e) {
            System.err.println("teardown stop: " + e.getMessage());
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void anArmedKeeperThatIsNotReArmedKillsThePostmasterAndEveryBackendAtItsDeadline() throws Exception {
        long postmaster = pg.postmasterPid();
        try (FenceKeeper keeper = FenceKeeper.attach(fenceDir, node.postgresql().dataDir());
             AutoCloseable quit = keeper::quit;
             DirectWriter writer = new DirectWriter()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.acked.get() >= 20);
            List<Long> backends = ProcessHandle.of(postmaster).orElseThrow().children().map(ProcessHandle::pid).toList();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            keeper.arm(deadline); // and never again: the agent froze or died

            await().atMost(Duration.ofSeconds(20)).until(() -> writer.failure.get() != null);
            long lateMillis = TimeUnit.NANOSECONDS.toMillis(writer.lastAckNanos.get() - deadline);
            System.out.printf("fence: last commit acknowledged %d ms after the deadline; %d commits before%n",
                    lateMillis, writer.acked.get());
            assertThat(lateMillis).as("last acknowledgement after the deadline (ms)").isLessThanOrEqualTo(TOLERANCE_MILLIS);
            assertThat(lateMillis).as("the writer was committing up to the deadline").isGreaterThan(-1000);
            await().atMost(Duration.ofSeconds(5)).until(() -> !running(postmaster));
            assertThat(backends).isNotEmpty().allSatisfy(pid ->
                    assertThat(running(pid)).as("backend " + pid).isFalse());
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Files.readString(fenceDir.resolve("keeper.log")))
                    .contains("fenced: killed postmaster " + postmaster));
        }
    }

    @Test
    void aSecondAttachFindsTheRunningKeeperAndLeavesItsDeadlineArmed() throws Exception {
        long postmaster = pg.postmasterPid();
        FenceKeeper first = FenceKeeper.attach(fenceDir, node.postgresql().dataDir());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
        first.arm(deadline);
        first.close(); // the agent dies; systemd starts a new one, which attaches
        try (FenceKeeper second = FenceKeeper.attach(fenceDir, node.postgresql().dataDir());
             AutoCloseable quit = second::quit) {
            assertThat(second.pid()).isEqualTo(first.pid());
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                    .until(() -> !running(postmaster));
            long firedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deadline);
            assertThat(firedMillis).as("fenced relative to the first agent's deadline (ms)")
                    .isBetween(-50L, TOLERANCE_MILLIS + 100);
            assertThat(Files.readString(fenceDir.resolve("keeper.log"))).contains("attached by agent", "armed,");
        }
    }

    @Test
    void aKeeperThatDiedIsStartedAgainAndArmedAtTheNextWrite() throws Exception {
        long postmaster = pg.postmasterPid();
        try (FenceKeeper keeper = FenceKeeper.attach(fenceDir, node.postgresql().dataDir());
             AutoCloseable quit = keeper::quit) {
            long old = keeper.pid();
            ProcessHandle.of(old).orElseThrow().destroyForcibly();
            await().atMost(Duration.ofSeconds(10)).until(() -> !running(old));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            keeper.arm(deadline);
            assertThat(keeper.pid()).isNotEqualTo(old);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !running(postmaster));
        }
    }

    @Test
    void aDisarmedKeeperNeverFences() throws Exception {
        long postmaster = pg.postmasterPid();
        try (FenceKeeper keeper = FenceKeeper.attach(fenceDir, node.postgresql().dataDir());
             AutoCloseable quit = keeper::quit) {
            keeper.arm(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800));
            keeper.disarm();
            // Past the deadline: the keeper logs what it does, so its log shows it disarmed and nothing fenced.
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(fenceDir.resolve("keeper.log")).contains("disarmed by agent"));
            await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> true);
            assertThat(running(postmaster)).isTrue();
        }
    }

    @Test
    void anAgentWhoseFileRequiresAWatchdogItCannotArmRefusesToRun() {
        NodeConfig required = new NodeConfig(node.source(), node.cluster(), node.name(), node.region(), null,
                node.postgresql(), null, null, null, new NodeConfig.Fence(fenceDir, NodeConfig.WatchdogMode.REQUIRED,
                        Path.of("/dev/watchdog-missing")));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Agent(required, null, null))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(node.source() + ": fence.watchdog: required")
                .hasMessageContaining("/dev/watchdog-missing");
        assertThat(keepers()).as("no keeper started for a node that will not run").isEmpty();
    }

    /** Whether {@code pid} runs, zombies excluded (a killed process lingers as one until init reaps it). */
    static boolean running(long pid) {
        return FenceKeeper.alive(pid);
    }

    /** Keeper processes started for this test's folder still running. */
    private List<Long> keepers() {
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                String cmd = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
                return cmd.contains(FenceKeeper.SCRIPT) && cmd.contains(fenceDir.toString());
            } catch (IOException e) {
                return false;
            }
        }).map(ProcessHandle::pid).toList();
    }

    private Connection connect() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", SUPER.username());
        p.setProperty("password", SUPER.password());
        p.setProperty("connectTimeout", "2");
        p.setProperty("socketTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://" + node.postgresql().connectAddress() + "/postgres", p);
    }

    /** One autocommit insert after another on one direct connection; stops at the first error. */
    private final class DirectWriter implements AutoCloseable {
        final AtomicLong acked = new AtomicLong();
        final AtomicLong lastAckNanos = new AtomicLong();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        private final Thread thread = new Thread(this::run, "direct-writer");
        private volatile boolean running = true;

        DirectWriter() {
            thread.start();
        }

        private void run() {
            try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO writes DEFAULT VALUES")) {
                while (running) {
                    ps.executeUpdate();
                    lastAckNanos.set(System.nanoTime());
                    acked.incrementAndGet();
                }
            } catch (Exception e) {
                failure.set(e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }
}
