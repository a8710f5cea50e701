package io.meridian.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.agent.Agent;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.cluster.Role;
import io.meridian.core.cluster.RouterState;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.core.config.HostPort;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.core.postgres.LocalPostgres;
import io.meridian.lab.process.FreePorts;
import io.meridian.router.Router;
import io.meridian.router.config.RouterConfig;
import io.meridian.router.config.RouterConfigLoader;
import io.meridian.testkit.EtcdExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Agents and a real router in one process, over real etcd and two PostgreSQL 15 nodes, with
 * {@code router_wait_timeout} on: after the leader stops, the new leader promotes only once the
 * router has published that it follows it (having closed its sessions to the old one).
 */
class RouterWaitEndToEndTest {

    private static final String CLUSTER = "e2e";
    private final String password = UUID.randomUUID().toString();
    private final Map<String, NodeConfig> nodes = new LinkedHashMap<>();
    private final Map<String, Agent> agents = new LinkedHashMap<>();
    @RegisterExtension
    final EtcdExtension etcd = new EtcdExtension();
    private Path dir;
    private EtcdDcs observer;
    private EtcdDcs routerDcs;
    private Router router;

    @Test
    void theNewLeaderPromotesOnlyAfterTheRouterFollowsIt() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "meridian-router-wait-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        observer = EtcdDcs.connect(etcd.endpoints(), "/meridian", CLUSTER, null, 6, 10);
        for (String name : List.of("paris-1", "tokyo-1")) {
            startAgent(name, name.substring(0, name.indexOf('-')));
        }
        String old = awaitPrimary(null);
        startRouter();
        // The router publishes at start that it follows the first leader.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> observer.routers().stream().anyMatch(r -> old.equals(r.leader())));
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> observer.load().members().stream()
                .anyMatch(m -> !m.name().equals(old) && m.isStreaming()));

        // An orderly stop of the leader releases its key: the other node takes it at once.
        agents.remove(old).shutdown();
        String next = awaitPrimary(old);
        Cluster after = observer.load();
        long leaderRevision = after.leader().revision();
        TimelineEvent promotion = after.history().get(after.history().size() - 1);
        assertThat(promotion.newLeader()).isEqualTo(next);

        RouterState reported = observer.routers().stream().filter(r -> r.router().equals("router-e2e")).findFirst().orElseThrow();
        assertThat(reported.leader()).isEqualTo(next);
        assertThat(reported.revision()).isGreaterThanOrEqualTo(leaderRevision);
        assertThat(Instant.parse(reported.updatedAt()).toEpochMilli())
                .as("the router published before the promotion").isLessThanOrEqualTo(promotion.atMillis());
        // The cycle's sentence is logged once promote() returns, a moment after /history has the event.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(agents.get(next).recentReasons())
                .anyMatch(r -> r.startsWith("promoted to leader")
                        && r.contains("router router-e2e follows me as of revision " + leaderRevision)));
        // GET /meridian/cluster on the new leader shows the same report.
        JsonNode view = new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(nodes.get(next).restapi().url() + "/meridian/cluster")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(view.path("routers").get(0).path("leader").asText()).isEqualTo(next);
        // And writes through the router land on the new leader.
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> writeThroughRouterLandsOn()
                == nodes.get(next).postgresql().connectAddress().port());
    }

    private void startAgent(String name, String region) throws Exception {
        List<Integer> ports = FreePorts.allocate(2);
        NodeConfig n = new NodeConfig(dir.resolve(name + ".yml"), CLUSTER, name, region,
                new NodeConfig.Etcd(etcd.endpoints(), "/meridian"),
                new NodeConfig.Postgres(Path.of("/usr/lib/postgresql/15/bin"), dir.resolve(name).resolve("data"),
                        new HostPort("127.0.0.1", ports.get(0)), new HostPort("127.0.0.1", ports.get(0)), "postgres",
                        new NodeConfig.Credentials("postgres", password),
                        new NodeConfig.Credentials("replicator", password + "r"), Map.of(), List.of()),
                new NodeConfig.RestApi(new HostPort("127.0.0.1", ports.get(1)), new HostPort("127.0.0.1", ports.get(1)),
                        "admin", password),
                MemberTags.DEFAULT, DynamicConfigParser.parse("test", "router_wait_timeout: 20"));
        nodes.put(name, n);
        EtcdDcs dcs = EtcdDcs.connect(n.etcd().endpoints(), "/meridian", CLUSTER, name, n.bootstrap().ttl(),
                n.bootstrap().retryTimeout());
        Agent a = new Agent(n, dcs, new LocalPostgres(n));
        agents.put(name, a);
        a.start();
    }

    private void startRouter() throws Exception {
        List<Integer> ports = FreePorts.allocate(2);
        Path file = dir.resolve("router.yml");
        // The password sits in a file readable by root only, as a real router.yml would.
        Files.writeString(file, "cluster: " + CLUSTER + "\nregion: paris\nname: router-e2e\n"
                + "etcd:\n  endpoints: [" + etcd.member(0).clientUrl() + "]\n  namespace: /meridian\n"
                + "listen:\n  rw: 127.0.0.1:" + ports.get(0) + "\n  ro: 127.0.0.1:" + ports.get(1) + "\n"
                + "monitor:\n  username: postgres\n  password: \"" + password + "\"\n  database: postgres\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        RouterConfig cfg = RouterConfigLoader.load(file);
        routerDcs = EtcdDcs.connect(cfg.etcd().endpoints(), "/meridian", CLUSTER, null, 30, 1);
        router = Router.start(cfg, routerDcs);
    }

    /** Waits for a leader other than {@code old} whose member record says primary. */
    private String awaitPrimary(String old) {
        String[] leader = new String[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            Cluster c = observer.load();
            leader[0] = c.hasLeader() ? c.leader().name() : null;
            return leader[0] != null && !leader[0].equals(old)
                    && c.leaderMember().map(m -> m.role() == Role.PRIMARY).orElse(false);
        });
        return leader[0];
    }

    private int writeThroughRouterLandsOn() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "2");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + router.rwAddress().getPort()
                + "/postgres", p); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS through_router (x int); INSERT INTO through_router VALUES (1)");
            try (ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (router != null) {
            router.close();
        }
        if (routerDcs != null) {
            routerDcs.close();
        }
        for (Agent a : new ArrayList<>(agents.values())) {
            a.shutdown();
        }
        for (NodeConfig n : nodes.values()) {
            try {
                new LocalPostgres(n).stop("immediate", 10);
            } catch (Exception ignored) {
                // not running
            }
        }
        if (observer != null) {
            observer.close();
        }
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
