package io.meridian.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import io.meridian.core.cluster.Role;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.router.config.RouterConfig;
import io.meridian.router.it.Clusters;
import io.meridian.testkit.PgServer;
import io.meridian.router.it.PgServerConnections;
import io.meridian.testkit.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * End to end through a real etcd: agents' keys move the leader, the router's watch follows, and the
 * first write through the read-write port lands on the new leader. Two independent primaries stand
 * in for a promoted standby (promotion itself is the agent's job and is not timed here).
 */
class RouterEtcdTest {

    @RegisterExtension
    static final EtcdExtension etcd = new EtcdExtension();

    @Test
    void leaderKeyChangeMovesWritesWithinMilliseconds() throws Exception {
        try (PgServer a = PgServer.primary(); PgServer b = PgServer.primary()) {
            List<String> endpoints = etcd.endpoints();
            try (EtcdDcs agentA = EtcdDcs.connect(endpoints, "/meridian", "test", "a", 30, 10);
                 EtcdDcs agentB = EtcdDcs.connect(endpoints, "/meridian", "test", "b", 30, 10)) {
                agentA.touchMember(Clusters.member("a", "paris", Role.PRIMARY, a.port));
                agentB.touchMember(Clusters.member("b", "paris", Role.REPLICA, b.port));
                assertThat(agentA.acquireLeader("a")).isTrue();
                RouterConfig base = Clusters.config("paris", Duration.ofSeconds(3), null);
                RouterConfig cfg = new RouterConfig(base.source(), base.cluster(), base.name(), base.region(),
                        new RouterConfig.Etcd(endpoints, "/meridian"), base.rwListen(), base.roListen(), base.httpListen(),
                        base.reads(), base.monitor(), base.leaderStaleAfter(), base.connectTimeout(), base.startupTimeout(), null);
                try (EtcdDcs routerDcs = RouterCommand.connect(cfg); Router router = Router.start(cfg, routerDcs);
                     Client etcdClient = Client.builder().endpoints(endpoints.toArray(String[]::new)).build()) {
                    int rw = router.rwAddress().getPort();
                    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> writeLandsOn(rw) == a.port);
                    assertThat(router.publishedKey()).isEqualTo("/meridian/test/routers/router-test");
                    await().atMost(Duration.ofSeconds(5)).until(() -> "a".equals(published(etcdClient, router).path("leader").asText()));
                    java.util.concurrent.atomic.AtomicLong applied = new java.util.concurrent.atomic.AtomicLong();
                    router.view().onLeaderChange(ch -> {
                        if ("b".equals(ch.current())) {
                            applied.compareAndSet(0, System.nanoTime());
                        }
                    });
                    try (Connection old = PgServerConnections.open(rw, null)) {
                        assertThat(agentA.releaseLeader("a")).isTrue();
                        assertThat(agentB.acquireLeader("b")).isTrue();
                        long t0 = System.nanoTime();
                        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(2)).ignoreExceptions()
                                .until(() -> writeLandsOn(rw) == b.port);
                        long millis = (System.nanoTime() - t0) / 1_000_000;
                        System.out.println("first write on the new leader " + millis + " ms after its leader key was created; "
                                + "the router applied the change after " + (applied.get() - t0) / 1_000_000 + " ms");
                        assertThat(millis).isLessThan(1000);
                        await().atMost(Duration.ofSeconds(2)).until(() -> !old.isValid(1));
                    }
                    // The router says it follows b as of a revision at or past b's leader key.
                    long leaderKeyRevision = agentB.load().leader().revision();
                    await().atMost(Duration.ofSeconds(5)).until(() -> "b".equals(published(etcdClient, router).path("leader").asText()));
                    assertThat(published(etcdClient, router).path("revision").asLong()).isGreaterThanOrEqualTo(leaderKeyRevision);
                    router.close();
                    assertThat(published(etcdClient, router).isMissingNode()).as("lease revoked on close").isTrue();
                }
            }
        }
    }

    /** The router's published record, or a missing node. */
    static JsonNode published(Client etcd, Router router) throws Exception {
        return published(etcd, router.publishedKey());
    }

    static JsonNode published(Client etcd, String key) throws Exception {
        GetResponse r = etcd.getKVClient().get(ByteSequence.from(key, StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
        return r.getKvs().isEmpty() ? MissingNode.getInstance() : new ObjectMapper().readTree(r.getKvs().get(0).getValue().getBytes());
    }

    /** Writes through the router and returns the port of the server that took the write. */
    static int writeLandsOn(int routerPort) throws SQLException {
        try (Connection c = PgServerConnections.open(routerPort, null); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS landed(at timestamptz)");
            s.execute("INSERT INTO landed VALUES (now())");
            try (ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
