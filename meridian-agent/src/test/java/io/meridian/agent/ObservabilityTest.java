package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.agent.metrics.ScrapeText;
import io.meridian.core.config.DynamicConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What the agent publishes about replication, read the way Prometheus and a browser read it: over
 * HTTP from the REST port of a real three-region cluster. One cluster for the class (booting three
 * PostgreSQL nodes is most of the time); the tests that move the leader or kill a node run last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityTest {

    private static final List<String> REGIONS = List.of("paris", "newyork", "tokyo");
    /**
     * loop_wait stays at Meridian's 1 s, so metrics are as fresh as in production; the lease and
     * retry_timeout are longer than the defaults because these tests are about what is reported, and a
     * shared CI machine's stalls must not move the leader under them (1 + 2 * 5 <= 20).
     */
    private static final DynamicConfig STEADY = new DynamicConfig(20, 1, 5, 1024L * 1024, 3, 1800, false, 0, List.of(),
            "off", 1, false, false, Map.of());
    private static final Duration BOOT = Duration.ofSeconds(120);
    private static final long MIB = 1024 * 1024;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestCluster cluster;

    @BeforeAll
    static void boot() throws Exception {
        cluster = new TestCluster(REGIONS, STEADY);
        cluster.startAll();
        cluster.awaitLeader(BOOT);
        cluster.awaitStreaming(2, BOOT);
    }

    @AfterAll
    static void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void metricsAreServedInThePrometheusTextFormatWithMeridianNamesAndLabels() throws Exception {
        String leader = cluster.awaitLeader(BOOT);
        List<String> replicas = replicasOf(leader);
        HttpResponse<String> r = get(leader, "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body()).contains("# TYPE meridian_role gauge", "# TYPE meridian_failovers_total counter",
                "# TYPE meridian_ha_cycle_duration_seconds histogram");
        // The primary's view lists both standbys, labelled with their own name and region.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            ScrapeText m = metrics(leader);
            assertThat(m.value("meridian_role", "role", "primary")).hasValue(1);
            assertThat(m.value("meridian_leader_present")).hasValue(1);
            assertThat(m.value("meridian_members_up")).hasValue(3);
            assertThat(m.value("meridian_write_lsn_bytes")).isPresent();
            for (String rep : replicas) {
                assertThat(m.value("meridian_replication_lag_bytes", "member", rep, "region", regionOf(rep),
                        "upstream", leader, "upstream_region", regionOf(leader), "stage", "replay")).isPresent();
                assertThat(m.value("meridian_slot_active", "slot", rep.replace('-', '_'), "slot_type", "physical")).hasValue(1);
            }
        });
        ScrapeText m = metrics(leader);
        for (String name : m.sampleNames()) {
            assertThat(name).startsWith("meridian_").matches("[a-z_]+");
            for (Map<String, String> labels : m.labelSets(name)) {
                assertThat(labels).as(name).containsKeys("cluster", "member", "region").containsEntry("cluster", TestCluster.CLUSTER);
            }
        }
        ScrapeText replica = metrics(replicas.get(0));
        assertThat(replica.value("meridian_role", "role", "replica")).hasValue(1);
        assertThat(replica.value("meridian_wal_receiver_streaming")).hasValue(1);
        assertThat(replica.value("meridian_slot_active")).isEmpty();
    }

    @Test
    @Order(2)
    void dashboardServesItsPageAndItsDataAsJson() throws Exception {
        String leader = cluster.awaitLeader(BOOT);
        String replica = replicasOf(leader).get(0);
        HttpResponse<String> page = get(replica, "/dashboard/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<body data-leader=", "/dashboard/app.js");
        assertThat(get(replica, "/dashboard/app.js").headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(get(replica, "/dashboard/..%2Fmetrics").statusCode()).isEqualTo(404);
        HttpResponse<String> data = get(replica, "/dashboard/data");
        assertThat(data.statusCode()).isEqualTo(200);
        assertThat(data.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode d = JSON.readTree(data.body());
        assertThat(d.path("cluster").path("leader").path("name").asText()).isEqualTo(leader);
        assertThat(d.path("cluster").path("members")).hasSize(3);
        assertThat(d.path("local").isObject()).as("local PostgreSQL state").isTrue();
        assertThat(d.path("alerts").isArray()).as("alerts").isTrue();
        assertThat(d.path("member").asText()).isEqualTo(replica);
    }

    @Test
    @Order(3)
    void pausedReplayShowsAsGrowingLagAndResumedReplayBringsItBackToZero() throws Exception {
        String leader = cluster.awaitLeader(BOOT);
        String replica = replicasOf(leader).get(0);
        String[] link = {"member", replica, "stage", "replay"};
        // pg_last_xact_replay_timestamp() is NULL until the standby replays a commit after its start,
        // and the standby's lag in seconds is unknown until then: give it one to replay first.
        write(leader, "lag_probe", 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> metrics(leader).value("meridian_replication_lag_bytes", link).orElse(1) == 0);
        try (Connection rc = cluster.connect(replica); Statement rs = rc.createStatement()) {
            rs.execute("SELECT pg_wal_replay_pause()");
            try {
                await().atMost(Duration.ofSeconds(15)).until(() -> metrics(replica).value("meridian_replay_paused").orElse(0) == 1);
                write(leader, "lag_probe", 4);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    ScrapeText onLeader = metrics(leader);
                    assertThat(onLeader.value("meridian_replication_lag_bytes", link).orElse(0))
                            .as("leader's view of %s's replay lag in:%n%s", replica, onLeader).isGreaterThan(3 * MIB);
                    // WAL still arrives; only replay stands still.
                    assertThat(onLeader.value("meridian_replication_lag_bytes", "member", replica, "stage", "write").orElse(-1))
                            .isLessThan(MIB);
                    ScrapeText own = metrics(replica);
                    assertThat(own.value("meridian_replica_lag_bytes").orElse(0))
                            .as("%s's own lag in:%n%s", replica, own).isGreaterThan(3 * MIB);
                    assertThat(own.value("meridian_replica_replay_lag_seconds").orElse(0)).isGreaterThanOrEqualTo(1);
                });
            } finally {
                rs.execute("SELECT pg_wal_replay_resume()");
            }
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(metrics(leader).value("meridian_replication_lag_bytes", link)).hasValue(0);
            ScrapeText own = metrics(replica);
            assertThat(own.value("meridian_replay_paused")).hasValue(0);
            assertThat(own.value("meridian_replica_lag_bytes")).hasValue(0);
        });
    }

    @Test
    @Order(4)
    void dashboardInChromiumShowsTheLeaderAndFollowsASwitchover() throws Exception {
        assumeTrue(HeadlessChromium.installed() || System.getenv("CI") != null,
                "chromium is not installed (apt-get install chromium); required when CI is set");
        String leader = cluster.awaitLeader(BOOT);
        String target = replicasOf(leader).get(0);
        cluster.awaitStreaming(2, BOOT);
        // The page is served by the leader that is about to step down: it must keep following etcd.
        try (HeadlessChromium browser = HeadlessChromium.open(cluster.restUrl(leader) + "/dashboard/", 1400, 1000)) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                assertThat(browser.evaluate("document.body.dataset.leader")).isEqualTo(leader);
                assertThat(browser.evaluate("document.getElementById('connection').textContent")).isEqualTo("live");
                assertThat(browser.evaluate("document.getElementById('topology').textContent"))
                        .contains("paris", "newyork", "tokyo", "★ " + leader);
            });
            // The leader refuses when the candidate's agent does not answer its probe in time, which a
            // stalled CI machine can cause; a refusal changes nothing, so asking again is safe.
            AtomicReference<HttpResponse<String>> r = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                r.set(post(leader, "/switchover", "{\"leader\":\"" + leader + "\",\"candidate\":\"" + target + "\"}"));
                return !(r.get().statusCode() == 412 && r.get().body().contains("does not answer"));
            });
            assertThat(r.get().statusCode()).as(r.get().body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                assertThat(browser.evaluate("document.body.dataset.leader")).isEqualTo(target);
                assertThat(browser.evaluate("document.getElementById('leader-name').textContent")).isEqualTo(target);
                assertThat(browser.evaluate("document.getElementById('history').textContent")).contains("switchover");
            });
            browser.screenshot(Path.of("target", "dashboard-after-switchover.png"));
        }
    }

    @Test
    @Order(5)
    void slotOfAStoppedStandbyShowsInactiveAndItsRetainedWalGrows() throws Exception {
        String leader = cluster.awaitLeader(BOOT);
        cluster.awaitStreaming(2, BOOT);
        String stopped = replicasOf(leader).get(0);
        String[] slot = {"slot", stopped.replace('-', '_'), "slot_type", "physical"};
        await().atMost(Duration.ofSeconds(15)).until(() -> metrics(leader).value("meridian_slot_active", slot).orElse(0) == 1);
        cluster.crashNode(stopped);
        await().atMost(Duration.ofSeconds(30)).until(() -> metrics(leader).value("meridian_slot_active", slot).orElse(1) == 0);
        double before = metrics(leader).value("meridian_slot_retained_wal_bytes", slot).orElseThrow();
        write(leader, "retained_probe", 4);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            ScrapeText m = metrics(leader);
            assertThat(m.value("meridian_slot_retained_wal_bytes", slot).orElse(0)).isGreaterThan(before + 3 * MIB);
            // Gone from pg_stat_replication, so the primary no longer reports a lag for it.
            assertThat(m.value("meridian_replication_lag_bytes", "member", stopped, "stage", "replay")).isEmpty();
        });
    }

    /** Writes about {@code mib} MiB of WAL on {@code node}. */
    private static void write(String node, String table, int mib) throws Exception {
        try (Connection c = cluster.connect(node); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table + " (id int, pad text)");
            s.execute("INSERT INTO " + table + " SELECT g, repeat(md5(g::text), 30) FROM generate_series(1, " + mib * 1000 + ") g");
        }
    }

    private static List<String> replicasOf(String leader) {
        return cluster.names().stream().filter(n -> !n.equals(leader) && cluster.agents.containsKey(n)).toList();
    }

    private static String regionOf(String member) {
        return cluster.nodes.get(member).region();
    }

    private static ScrapeText metrics(String node) throws Exception {
        HttpResponse<String> r = get(node, "/metrics");
        assertThat(r.statusCode()).as("GET /metrics on " + node).isEqualTo(200);
        return new ScrapeText(r.body());
    }

    private static HttpResponse<String> get(String node, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(cluster.restUrl(node) + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String node, String path, String body) throws Exception {
        String auth = Base64.getEncoder().encodeToString(("admin:" + cluster.restPassword()).getBytes(StandardCharsets.UTF_8));
        return HTTP.send(HttpRequest.newBuilder(URI.create(cluster.restUrl(node) + path)).header("Authorization", "Basic " + auth)
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(120)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
