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
import io.meridian.lab.wan.LinkRelay;
import io.meridian.testkit.EtcdExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Under {@code region_quorum} with the only other region 80 ms away (a relay delays the standby's
 * replication 40 ms each way), the plan's commit floor is that round trip, taken from the leader's
 * flush lag, and the single-session commit rate its probe measures agrees with 1000 / floor
 * within 20 %.
 */
class PlanCommitCeilingTest {

    @RegisterExtension
    static EtcdExtension etcd = new EtcdExtension();

    private static final String PASSWORD = "plan-ceiling-password";

    @Test
    void theRegionQuorumCeilingAgreesWithASingleSessionsCommitRate() throws Exception {
        Path home = Files.createTempDirectory(Path.of("/tmp"), "meridian-plan-wan-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<AutoCloseable> cleanup = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = null;
        try {
            List<Integer> paris = FreePorts.allocate(2);
            // Standbys reach paris-1 at its connect address: through the relay, 80 ms away.
            LinkRelay wan = LinkRelay.start(FreePorts.allocate(), "127.0.0.1", paris.get(0));
            cleanup.add(wan);
            wan.setDelay(Duration.ofMillis(40));
            NodeConfig leader = node(home, "paris-1", "paris", paris.get(0), wan.port(), paris.get(1));
            Agent first = start(leader);
            cleanup.add(() -> new LocalPostgres(leader).stop("immediate", 30));
            cleanup.add(first);
            await().atMost(Duration.ofSeconds(120)).until(() -> first.cluster().isLeader("paris-1"));
            List<Integer> ny = FreePorts.allocate(2);
            NodeConfig standby = node(home, "newyork-1", "newyork", ny.get(0), ny.get(0), ny.get(1));
            Agent second = start(standby);
            cleanup.add(() -> new LocalPostgres(standby).stop("immediate", 30));
            cleanup.add(second);
            await().atMost(Duration.ofSeconds(180)).ignoreExceptions().until(() -> syncStandbys(leader) == 1);

            try (Connection c = connect(leader.postgresql().listen().port())) {
                c.createStatement().execute("CREATE TABLE load (id bigserial PRIMARY KEY, payload text)");
            }
            // WAL must flow for PostgreSQL to report a flush lag: one session inserting back to back.
            writer = new Thread(() -> {
                try (Connection c = connect(leader.postgresql().listen().port())) {
                    while (!stop.get()) {
                        c.createStatement().execute("INSERT INTO load (payload) VALUES (repeat('x', 200))");
                    }
                } catch (Exception e) {
                    if (!stop.get()) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "plan-ceiling-writer");
            writer.start();

            // pgjdbc's own passfile lookup, as an operator's ~/.pgpass would be.
            Path pgpass = Files.writeString(home.resolve("pgpass"), "127.0.0.1:" + leader.postgresql().listen().port()
                    + ":*:postgres:" + PASSWORD + "\n");
            Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
            System.setProperty("org.postgresql.pgpassfile", pgpass.toString());
            cleanup.add(() -> System.clearProperty("org.postgresql.pgpassfile"));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            // The probe connects to paris-1's own port: through the relay, every statement would pay 80 ms too.
            int exit = MeridianCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(
                    "plan", "--etcd", etcd.endpoints().get(0), "--cluster", "plan", "--window", "8s", "--commit-probe", "8s",
                    "--jdbc-url", "jdbc:postgresql://127.0.0.1:" + leader.postgresql().listen().port() + "/postgres?user=postgres",
                    "--format", "json");
            assertThat(exit).as(err.toString()).isZero();
            JsonNode plan = new ObjectMapper().readTree(out.toString());
            JsonNode rq = null;
            for (JsonNode c : plan.get("commit")) {
                if (c.get("mode").asText().equals("region_quorum")) {
                    rq = c;
                }
            }
            JsonNode probe = plan.get("commit_probe");
            double floor = rq.get("commit_latency_floor_ms").asDouble();
            double ceiling = rq.get("commits_per_second_ceiling").asDouble();
            System.out.printf("region_quorum, 80 ms: planned floor %.1f ms, %.2f commits/s; measured %.1f ms median, %.2f commits/s "
                            + "(%d commits)%n", floor, ceiling, probe.get("commit_latency_median_ms").asDouble(),
                    probe.get("commits_per_second").asDouble(), probe.get("commits").asInt());
            assertThat(rq.get("current").asBoolean()).isTrue();
            assertThat(rq.get("waits_for").get(0).asText()).isEqualTo("newyork-1");
            assertThat(floor).as("flush lag to newyork-1, ms").isBetween(78.0, 120.0);
            assertThat(probe.get("commits_per_second").asDouble()).as("single-session commits/s against the ceiling")
                    .isBetween(ceiling * 0.8, ceiling * 1.2);
        } finally {
            stop.set(true);
            if (writer != null) {
                writer.join(10_000);
            }
            for (int i = cleanup.size() - 1; i >= 0; i--) {
                cleanup.get(i).close();
            }
            new ProcessBuilder("rm", "-rf", home.toString()).inheritIO().start().waitFor();
        }
    }

    private static NodeConfig node(Path home, String name, String region, int pgPort, int connectPort, int restPort)
            throws Exception {
        Path file = home.resolve(name + ".yml");
        Files.writeString(file, String.join("\n",
                "cluster: plan",
                "name: " + name,
                "region: " + region,
                "etcd: {endpoints: [" + etcd.endpoints().get(0) + "]}",
                "postgresql:",
                "  data_dir: " + home.resolve(name),
                "  listen: 127.0.0.1:" + pgPort,
                "  connect_address: 127.0.0.1:" + connectPort,
                "  os_user: postgres",
                "  superuser: {username: postgres, password: " + PASSWORD + "}",
                "  replication: {username: replicator, password: " + PASSWORD + "r}",
                "restapi:",
                "  listen: 127.0.0.1:" + restPort,
                "  username: admin",
                "  password: " + PASSWORD,
                "bootstrap:",
                "  dcs: {synchronous_mode: region_quorum}",
                ""));
        return NodeConfigLoader.load(file);
    }

    private static Agent start(NodeConfig n) throws Exception {
        EtcdDcs dcs = EtcdDcs.connect(n.etcd().endpoints(), n.etcd().namespace(), n.cluster(), n.name(),
                n.bootstrap().ttl(), n.bootstrap().retryTimeout());
        Agent a = new Agent(n, dcs, new LocalPostgres(n));
        a.start();
        return a;
    }

    private static Connection connect(int port) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", PASSWORD);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
    }

    private static int syncStandbys(NodeConfig leader) throws Exception {
        try (Connection c = connect(leader.postgresql().listen().port());
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = 'quorum'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
