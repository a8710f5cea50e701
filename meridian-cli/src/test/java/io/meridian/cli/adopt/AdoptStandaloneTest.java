package io.meridian.cli.adopt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.agent.Agent;
import io.meridian.cli.MeridianCli;
import io.meridian.core.config.HostPort;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code meridian adopt --pgdata --config-dir} on a running {@code pg_createcluster} cluster under a
 * write load: the agent takes the leader key with the same postmaster, no acknowledged write is
 * lost, and a second node clones the adopted leader through the replication role adoption made.
 */
class AdoptStandaloneTest {

    @RegisterExtension
    static EtcdExtension etcd = new EtcdExtension();

    @Test
    void adoptsARunningDebianClusterWithoutRestartingIt() throws Exception {
        Path home = Files.createDirectories(Path.of("/tmp").resolve("meridian-adopt-" + System.nanoTime()));
        List<AutoCloseable> cleanup = new ArrayList<>();
        try (DebianCluster debian = new DebianCluster(home, FreePorts.allocate())) {
            debian.psql("CREATE ROLE app LOGIN PASSWORD 'app-test-password';\n"
                    + "CREATE TABLE acked (id bigint PRIMARY KEY, at timestamptz DEFAULT now());\n"
                    + "GRANT ALL ON acked TO app;\n");
            long pid = debian.postmasterPid();
            String server = "127.0.0.1:" + debian.port;
            try (AckedWriter writer = new AckedWriter(() -> server, "app", "app-test-password")) {
                await().atMost(Duration.ofSeconds(30)).until(() -> writer.count() >= 20);
                writer.takeLongestGapMillis();

                Path nodeFile = home.resolve("solo.yml");
                StringWriter out = new StringWriter();
                int exit = MeridianCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(out)).execute(
                        "adopt", "--pgdata", debian.data.toString(), "--config-dir", debian.configDir.toString(),
                        "--cluster", "adopted", "--name", "solo", "--etcd", etcd.endpoints().get(0),
                        "--restapi", "127.0.0.1:" + FreePorts.allocate(), "-o", nodeFile.toString());
                System.out.println(out);
                assertThat(exit).as(out.toString()).isZero();
                assertThat(out.toString()).contains("wrote /meridian/adopted/initialize");

                NodeConfig solo = NodeConfigLoader.load(nodeFile);
                Agent agent = start(solo);
                cleanup.add(agent);
                // The reason is recorded once the cycle that took the key ends.
                await().atMost(Duration.ofSeconds(30)).until(() -> agent.recentReasons().stream()
                        .anyMatch(r -> r.contains("took the leader key")));
                assertThat(agent.cluster().isLeader("solo")).isTrue();
                int atTakeover = writer.count();
                await().atMost(Duration.ofSeconds(30)).until(() -> writer.count() >= atTakeover + 50);
                long adoptionGap = writer.takeLongestGapMillis();

                // A new node clones the adopted leader: the replication role and pg_hba rules work.
                NodeConfig second = secondNode(solo, home);
                Agent replica = start(second);
                cleanup.add(() -> new LocalPostgres(second).stop("immediate", 30));
                cleanup.add(replica);
                await().atMost(Duration.ofSeconds(120)).until(() -> streamingStandbys(solo, "second") == 1);
                int atClone = writer.count();
                await().atMost(Duration.ofSeconds(30)).until(() -> writer.count() >= atClone + 50);

                writer.close();
                assertThat(debian.postmasterPid()).as("postmaster pid").isEqualTo(pid);
                assertThat(writer.missingOn(server, "app", "app-test-password")).as("acknowledged writes lost").isEmpty();
                assertThat(agent.recentReasons()).noneSatisfy(r -> assertThat(r).containsAnyOf("demoted", "restarted", "rewound"));
                System.out.printf("adoption of a standalone cluster: %d writes acknowledged, longest write gap %d ms during "
                        + "the adoption and takeover, %d ms while a second node cloned it; postmaster pid %d unchanged%n",
                        writer.count(), adoptionGap, writer.longestGapMillis(), pid);
                // Bound loosely for a loaded CI machine; a restart would also change the pid, checked above.
                assertThat(adoptionGap).as("write downtime during adoption, ms").isLessThan(3000);
            } finally {
                for (int i = cleanup.size() - 1; i >= 0; i--) {
                    cleanup.get(i).close();
                }
            }
        } finally {
            DebianCluster.run(List.of("rm", "-rf", home.toString()));
        }
    }

    private static Agent start(NodeConfig n) throws Exception {
        EtcdDcs dcs = EtcdDcs.connect(n.etcd().endpoints(), n.etcd().namespace(), n.cluster(), n.name(),
                n.bootstrap().ttl(), n.bootstrap().retryTimeout());
        Agent a = new Agent(n, dcs, new LocalPostgres(n));
        a.start();
        return a;
    }

    private static NodeConfig secondNode(NodeConfig solo, Path home) {
        List<Integer> ports = FreePorts.allocate(2);
        NodeConfig.Postgres p = solo.postgresql();
        HostPort pgAt = new HostPort("127.0.0.1", ports.get(0));
        HostPort restAt = new HostPort("127.0.0.1", ports.get(1));
        return new NodeConfig(home.resolve("second.yml"), solo.cluster(), "second", solo.region(), solo.etcd(),
                new NodeConfig.Postgres(p.binDir(), home.resolve("second").resolve("data"), pgAt, pgAt, p.osUser(),
                        p.superuser(), p.replication(), java.util.Map.of(), List.of()),
                new NodeConfig.RestApi(restAt, restAt, solo.restapi().username(), solo.restapi().password()),
                solo.tags(), solo.bootstrap());
    }

    /** WAL senders streaming to {@code member}'s WAL receiver (pg_basebackup's own stream is another application). */
    private static int streamingStandbys(NodeConfig leader, String member) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", leader.postgresql().superuser().username());
        p.setProperty("password", leader.postgresql().superuser().password());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + leader.postgresql().listen().port()
                + "/postgres", p);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND application_name = '"
                     + member + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
