package io.meridian.cli.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.agent.Agent;
import io.meridian.cli.MeridianCli;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.config.NodeConfigLoader;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.core.postgres.LocalPostgres;
import io.meridian.lab.process.FreePorts;
import io.meridian.testkit.EtcdExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code meridian plan} against a real agent, PostgreSQL and etcd under a steady write load of
 * known size: the WAL rate it reports agrees within 10 % with {@code pg_current_wal_lsn()} read
 * independently around the same window, and the database size and commit probe come back.
 * (Between the two readings only the plan's window and its connection to etcd pass; a commit
 * probe inside them would add its own WAL, so it runs in a second, short plan.)
 */
class PlanWalRateTest {

    @RegisterExtension
    static EtcdExtension etcd = new EtcdExtension();

    private static final String PASSWORD = "plan-test-password";

    @Test
    void theWalRateAgreesWithWalPositionsReadIndependently() throws Exception {
        Path home = Files.createTempDirectory(Path.of("/tmp"), "meridian-plan-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Integer> ports = FreePorts.allocate(2);
        Path nodeFile = home.resolve("paris-1.yml");
        Files.writeString(nodeFile, String.join("\n",
                "cluster: plan",
                "name: paris-1",
                "region: paris",
                "etcd: {endpoints: [" + etcd.endpoints().get(0) + "]}",
                "postgresql:",
                "  data_dir: " + home.resolve("data"),
                "  listen: 127.0.0.1:" + ports.get(0),
                "  os_user: postgres",
                "  superuser: {username: postgres, password: " + PASSWORD + "}",
                "  replication: {username: replicator, password: " + PASSWORD + "r}",
                "restapi:",
                "  listen: 127.0.0.1:" + ports.get(1),
                "  username: admin",
                "  password: " + PASSWORD,
                ""));
        NodeConfig node = NodeConfigLoader.load(nodeFile);
        Agent agent = start(node);
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = null;
        try {
            await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> {
                try (Connection c = connect(node)) {
                    return agent.cluster().isLeader("paris-1");
                }
            });
            try (Connection c = connect(node)) {
                c.createStatement().execute("CREATE TABLE load (id bigserial PRIMARY KEY, payload text)");
            }
            // About 400 kB/s of incompressible rows, paced, so the rate is the same in any window.
            writer = new Thread(() -> writeSteadily(node, 100, 4000, stop), "plan-test-writer");
            writer.start();
            long[] before = walPosition(node);

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = MeridianCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(
                    "plan", "-c", nodeFile.toString(), "--window", "10s", "--interval", "500ms", "--commit-probe", "0",
                    "--compare", "--format", "json");
            long[] after = walPosition(node);
            assertThat(exit).as(err.toString()).isZero();
            JsonNode plan = new ObjectMapper().readTree(out.toString());
            JsonNode measured = plan.get("measured");
            double planned = measured.get("wal_bytes_per_second").asDouble();
            double independent = (after[0] - before[0]) * 1e9 / (after[1] - before[1]);
            System.out.printf("plan: %.0f B/s over %.1f s (%d samples); independent pg_current_wal_lsn: %.0f B/s over %.1f s; "
                            + "plan took %.1f s%n", planned, measured.get("window_seconds").asDouble(),
                    measured.get("samples").asInt(), independent, (after[1] - before[1]) / 1e9, plan.get("plan_seconds").asDouble());
            assertThat(planned).as("WAL rate of the plan against pg_current_wal_lsn, B/s").isBetween(independent * 0.9,
                    independent * 1.1);
            assertThat(planned).as("a 400 kB/s load").isGreaterThan(200_000);
            assertThat(measured.get("samples").asInt()).isGreaterThanOrEqualTo(15);
            assertThat(measured.get("wal_peak_bytes_per_second").asDouble()).isGreaterThanOrEqualTo(planned);
            assertThat(measured.get("database_size_bytes").asLong()).isPositive();
            assertThat(measured.get("database_growth_bytes_per_day").asDouble()).isPositive();
            assertThat(plan.has("commit_probe")).isFalse();

            // The commit probe runs after the window (its own WAL would inflate the rate above, so it is apart).
            StringWriter probed = new StringWriter();
            exit = MeridianCli.commandLine().setOut(new PrintWriter(probed)).setErr(new PrintWriter(err)).execute(
                    "plan", "-c", nodeFile.toString(), "--window", "1s", "--interval", "500ms", "--commit-probe", "1s",
                    "--format", "json");
            assertThat(exit).as(err.toString()).isZero();
            JsonNode probe = new ObjectMapper().readTree(probed.toString()).get("commit_probe");
            assertThat(probe.get("commits").asInt()).isPositive();
            assertThat(probe.get("mode").asText()).isEqualTo("off");
            assertThat(plan.get("links")).isEmpty();
            JsonNode single = plan.get("topologies").get(0);
            assertThat(single.get("topology").asText()).isEqualTo("single_region");
            assertThat(single.get("cost").get("monthly_cost_eur").asDouble()).isEqualTo(645.0);
        } finally {
            stop.set(true);
            if (writer != null) {
                writer.join(10_000);
            }
            agent.close();
            new LocalPostgres(node).stop("immediate", 30);
            new ProcessBuilder("rm", "-rf", home.toString()).inheritIO().start().waitFor();
        }
    }

    private static Agent start(NodeConfig n) throws Exception {
        EtcdDcs dcs = EtcdDcs.connect(n.etcd().endpoints(), n.etcd().namespace(), n.cluster(), n.name(),
                n.bootstrap().ttl(), n.bootstrap().retryTimeout());
        Agent a = new Agent(n, dcs, new LocalPostgres(n));
        a.start();
        return a;
    }

    private static Connection connect(NodeConfig n) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", PASSWORD);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + n.postgresql().listen().port() + "/postgres", p);
    }

    /** {@code pg_current_wal_lsn()} as bytes, and the monotonic time it was read at. */
    private static long[] walPosition(NodeConfig n) throws Exception {
        try (Connection c = connect(n);
             ResultSet rs = c.createStatement().executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
            rs.next();
            return new long[] {rs.getLong(1), System.nanoTime()};
        }
    }

    /** {@code rowsPerSecond} rows of {@code bytes} random hex characters each, on a fixed schedule. */
    private static void writeSteadily(NodeConfig n, int rowsPerSecond, int bytes, AtomicBoolean stop) {
        try (Connection c = connect(n);
             PreparedStatement insert = c.prepareStatement("INSERT INTO load (payload) VALUES (?)")) {
            long period = 1_000_000_000L / rowsPerSecond;
            long next = System.nanoTime();
            StringBuilder payload = new StringBuilder(bytes);
            while (!stop.get()) {
                payload.setLength(0);
                while (payload.length() < bytes) {
                    payload.append(Long.toHexString(ThreadLocalRandom.current().nextLong()));
                }
                insert.setString(1, payload.substring(0, bytes));
                insert.executeUpdate();
                next += period;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        } catch (Exception e) {
            if (!stop.get()) {
                throw new IllegalStateException("writer: " + e.getMessage(), e);
            }
        }
    }
}
