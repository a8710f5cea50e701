package io.meridian.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.agent.Agent;
import io.meridian.core.cluster.Cluster;
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
import io.meridian.testkit.PgCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Agents and a real router in one process, over real etcd and two PostgreSQL 15 nodes, with
 * {@code router_wait_timeout} on: after the leader stops, the new leader promotes only once the
 * router has published that it follows it (having closed its sessions to the old one).
 */
class RouterWaitEndToEndTest {

    private static final String CLUSTER = PgCluster.CLUSTER;
    private static final Duration WITHIN = Duration.ofSeconds(90);
    private final Map<String, Agent> agents = new LinkedHashMap<>();
    private PgCluster cluster;
    private EtcdDcs observer;
    private EtcdDcs routerDcs;
    private Router router;

    @Test
    void theNewLeaderPromotesOnlyAfterTheRouterFollowsIt() throws Exception {
        cluster = new PgCluster(List.of("paris", "tokyo"), DynamicConfigParser.parse("test", "router_wait_timeout: 20"), false);
        // The cluster's own observer reads the cluster; this one reads the router reports too.
        observer = EtcdDcs.connect(List.of(cluster.etcd.clientUrl()), "/meridian", CLUSTER, null, 6, 10);
        for (String name : cluster.names()) {
            startAgent(name);
        }
        String old = cluster.awaitLeader(WITHIN);
        startRouter();
        // The router publishes at start that it follows the first leader.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> observer.routers().stream().anyMatch(r -> old.equals(r.leader())));
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> observer.load().members().stream()
                .anyMatch(m -> !m.name().equals(old) && m.isStreaming()));

        // An orderly stop of the leader releases its key: the other node takes it at once.
        agents.remove(old).shutdown();
        String next = cluster.awaitNewLeader(old, WITHIN);
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
                URI.create(cluster.restUrl(next) + "/meridian/cluster")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(view.path("routers").get(0).path("leader").asText()).isEqualTo(next);
        // And writes through the router land on the new leader.
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> writeThroughRouterLandsOn()
                == cluster.nodes.get(next).postgresql().connectAddress().port());
    }

    private void startAgent(String name) throws Exception {
        NodeConfig n = cluster.nodes.get(name);
        EtcdDcs dcs = EtcdDcs.connect(n.etcd().endpoints(), "/meridian", CLUSTER, name, n.bootstrap().ttl(),
                n.bootstrap().retryTimeout());
        Agent a = new Agent(n, dcs, new LocalPostgres(n));
        agents.put(name, a);
        a.start();
    }

    private void startRouter() throws Exception {
        List<Integer> ports = FreePorts.allocate(2);
        Path file = cluster.dir.resolve("router.yml");
        // PgCluster gives every account one password; it sits in a file readable by root only, as in a real router.yml.
        Files.writeString(file, "cluster: " + CLUSTER + "\nregion: paris\nname: router-e2e\n"
                + "etcd:\n  endpoints: [" + cluster.etcd.clientUrl() + "]\n  namespace: /meridian\n"
                + "listen:\n  rw: 127.0.0.1:" + ports.get(0) + "\n  ro: 127.0.0.1:" + ports.get(1) + "\n"
                + "monitor:\n  username: postgres\n  password: \"" + cluster.restPassword() + "\"\n  database: postgres\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        RouterConfig cfg = RouterConfigLoader.load(file);
        routerDcs = EtcdDcs.connect(cfg.etcd().endpoints(), "/meridian", CLUSTER, null, 30, 1);
        router = Router.start(cfg, routerDcs);
    }

    private int writeThroughRouterLandsOn() throws Exception {
        try (Connection c = cluster.connect(new HostPort("127.0.0.1", router.rwAddress().getPort()));
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS through_router (x int); INSERT INTO through_router VALUES (1)");
            try (ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The router and the agents go first, so that none restarts a PostgreSQL the cluster is stopping. */
    @AfterEach
    void tearDown() {
        if (router != null) {
            router.close();
        }
        if (routerDcs != null) {
            routerDcs.close();
        }
        for (Agent a : new ArrayList<>(agents.values())) {
            a.shutdown();
        }
        if (observer != null) {
            observer.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }
}
