package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Role;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.config.DynamicConfigParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code router_wait_timeout} on two real agents and PostgreSQL nodes: the test writes a router's
 * report under {@code routers/} as a router would, and switches over. One cluster for the class;
 * each test switches from whoever leads to the other node and waits for the old one to rejoin.
 */
class RouterWaitSwitchoverTest {

    private static final String ROUTER_KEY = "/meridian/" + TestCluster.CLUSTER + "/routers/r1";
    private static TestCluster cluster;
    private static Client etcd;

    private String old;
    private String target;

    @BeforeAll
    static void boot() throws Exception {
        cluster = new TestCluster(List.of("paris", "newyork"), DynamicConfigParser.parse("test", "router_wait_timeout: 4"));
        cluster.startAll();
        cluster.awaitLeader(Duration.ofSeconds(90));
        etcd = Client.builder().endpoints(cluster.etcd.clientUrl()).build();
    }

    @AfterAll
    static void shutDown() {
        if (etcd != null) {
            etcd.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void pickNodes() throws Exception {
        cluster.awaitStreaming(1, Duration.ofSeconds(90));
        old = cluster.cluster().leader().name();
        target = cluster.names().stream().filter(n -> !n.equals(old)).findFirst().orElseThrow();
    }

    @AfterEach
    void oldLeaderRejoins() throws Exception {
        etcd.getKVClient().delete(bytes(ROUTER_KEY)).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
            var m = cluster.cluster().member(old);
            return m.isPresent() && m.get().role() == Role.REPLICA && m.get().isStreaming();
        });
    }

    @Test
    void aRouterThatFollowsTheNewLeaderReleasesThePromotionAtOnce() throws Exception {
        assertThat(patchConfig("{\"router_wait_timeout\": 30}").statusCode()).isEqualTo(200);
        long before = cluster.cluster().revision();
        publish(before, old);
        // GET /meridian/cluster shows what routers report next to the cluster record.
        JsonNode view = new ObjectMapper().readTree(client().send(HttpRequest.newBuilder(
                URI.create(cluster.restUrl(target) + "/meridian/cluster")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(view.path("leader").path("name").asText()).isEqualTo(old);
        assertThat(view.path("routers")).hasSize(1);
        assertThat(view.path("routers").get(0).path("router").asText()).isEqualTo("r1");
        assertThat(view.path("routers").get(0).path("revision").asLong()).isEqualTo(before);
        CompletableFuture<HttpResponse<String>> request = switchover();
        Cluster taken = awaitLeaderKeyOf(target);
        // The key is the target's, but it stays a standby: the router still follows the old leader.
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(() -> inRecovery(target));

        long routerFollowsAt = System.currentTimeMillis();
        publish(taken.revision(), target);
        HttpResponse<String> answer = request.get(60, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        TimelineEvent promoted = promotionOf(target);
        assertThat(promoted.atMillis()).as("promoted after the router followed").isGreaterThanOrEqualTo(routerFollowsAt);
        // Far inside the 30 s timeout: the router's report, not the clock, ended the wait.
        assertThat(promoted.atMillis() - routerFollowsAt).isLessThan(10_000);
        // The cycle's sentence is logged once promote() returns, a moment after /history has the event.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(cluster.agents.get(target).recentReasons())
                .anyMatch(r -> r.startsWith("promoted to leader") && r.contains("router r1 follows me as of revision "
                        + taken.leader().revision())));
    }

    @Test
    void aRouterStuckOnTheOldLeaderDelaysThePromotionByTheTimeoutOnly() throws Exception {
        assertThat(patchConfig("{\"router_wait_timeout\": 4}").statusCode()).isEqualTo(200);
        publish(cluster.cluster().revision(), old);
        CompletableFuture<HttpResponse<String>> request = switchover();
        awaitLeaderKeyOf(target);
        long keySeenAt = System.currentTimeMillis();

        HttpResponse<String> answer = request.get(60, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        TimelineEvent promoted = promotionOf(target);
        // The key was taken (at or before keySeenAt), then the 4 s ran out, then pg_promote.
        assertThat(promoted.atMillis() - keySeenAt).as("promotion held back by the timeout").isGreaterThanOrEqualTo(3_000);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(cluster.agents.get(target).recentReasons())
                .anyMatch(r -> r.startsWith("promoted to leader") && r.contains("router r1 still at revision")
                        && r.contains("following " + old) && r.endsWith("promoting anyway")));
    }

    private void publish(long revision, String leader) throws Exception {
        String value = "{\"router\":\"r1\",\"region\":\"paris\",\"revision\":" + revision + ",\"leader\":\"" + leader
                + "\",\"updated_at\":\"" + java.time.Instant.now() + "\"}";
        etcd.getKVClient().put(bytes(ROUTER_KEY), bytes(value)).get(10, TimeUnit.SECONDS);
    }

    private Cluster awaitLeaderKeyOf(String name) {
        Cluster[] seen = new Cluster[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(() -> {
            seen[0] = cluster.cluster();
            return seen[0].isLeader(name);
        });
        return seen[0];
    }

    private TimelineEvent promotionOf(String name) throws Exception {
        List<TimelineEvent> history = cluster.cluster().history();
        TimelineEvent last = history.get(history.size() - 1);
        assertThat(last.newLeader()).isEqualTo(name);
        return last;
    }

    private boolean inRecovery(String name) throws Exception {
        try (Connection c = cluster.connect(name); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private CompletableFuture<HttpResponse<String>> switchover() {
        String body = "{\"leader\":\"" + old + "\",\"candidate\":\"" + target + "\"}";
        return client().sendAsync(authorized(URI.create(cluster.restUrl(old) + "/switchover"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> patchConfig(String body) throws Exception {
        return client().send(authorized(URI.create(cluster.restUrl(old) + "/config"))
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder authorized(URI uri) {
        String auth = Base64.getEncoder().encodeToString(("admin:" + cluster.restPassword()).getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(uri).header("Authorization", "Basic " + auth).timeout(Duration.ofSeconds(90));
    }

    private static HttpClient client() {
        return HttpClient.newHttpClient();
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
