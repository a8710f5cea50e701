package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.config.DynamicConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Config integrity against real etcd and PostgreSQL: an unreadable {@code /config} leaves every
 * agent on its last valid one (and the leader leading), and a bad parameter is refused at write,
 * with nothing written and nothing restarted.
 */
class ConfigIntegrityTest {

    private static final Duration BOOT = Duration.ofSeconds(90);
    private static final String CONFIG_KEY = "/meridian/" + TestCluster.CLUSTER + "/config";
    private static TestCluster cluster;
    private static String leader;
    private static String replica;

    @BeforeAll
    static void boot() throws Exception {
        cluster = TestCluster.booted(List.of("paris", "tokyo"), DynamicConfig.DEFAULTS, false, BOOT);
        leader = cluster.awaitLeader(BOOT);
        replica = cluster.names().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
    }

    @AfterAll
    static void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anUnreadableConfigLeavesEveryAgentOnItsLastValidOne() throws Exception {
        assertThat(patch(replica, "{\"maximum_lag_on_failover\": 2097152, \"synchronous_mode\": \"quorum\"}").statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.agents.values().stream()
                .allMatch(a -> a.cluster().config().maximumLagOnFailover() == 2097152));
        Map<String, Long> pids = pids();

        put(CONFIG_KEY, "{\"ttl\": 6, \"synchronous_mode\": \"quorum\", \"maximum_lag_on_failover\": \"lots\"}");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (Agent a : cluster.agents.values()) {
                assertThat(a.lastReason()).startsWith("CONFIG INVALID (").contains("maximum_lag_on_failover",
                        "keeping the last valid configuration");
                assertThat(a.metrics()).containsPattern("meridian_config_valid\\{[^}]*\\} 0");
            }
        });
        for (Agent a : cluster.agents.values()) {
            Cluster seen = a.cluster();
            assertThat(seen.configValid()).isFalse();
            assertThat(seen.config().maximumLagOnFailover()).isEqualTo(2097152);
            assertThat(seen.config().synchronousMode()).isEqualTo("quorum");
            assertThat(seen.config().paused()).isFalse();
        }
        // Garbage that is not even JSON: still the last valid configuration, and the leader keeps leading.
        put(CONFIG_KEY, "{not json");
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(cluster.cluster().leader().name()).isEqualTo(leader);
            assertThat(pids()).isEqualTo(pids);
            assertThat(cluster.agents.get(leader).cluster().config().maximumLagOnFailover()).isEqualTo(2097152);
        });
        assertThat(cluster.agents.get(leader).lastReason()).startsWith("CONFIG INVALID (").contains("is not valid JSON");

        // A PATCH cannot build on the last valid configuration; a PUT replaces the value.
        HttpResponse<String> refused = patch(leader, "{\"loop_wait\": 1}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("cannot be used", "PUT /config");
        assertThat(send(leader, "PUT", "{\"maximum_lag_on_failover\": 4194304}").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (Agent a : cluster.agents.values()) {
                assertThat(a.metrics()).containsPattern("meridian_config_valid\\{[^}]*\\} 1");
                assertThat(a.lastReason()).doesNotContain("CONFIG INVALID");
            }
        });
        assertThat(cluster.cluster().config().maximumLagOnFailover()).isEqualTo(4194304);
    }

    @Test
    void keysOfANewerVersionAreKeptWhenThisVersionWrites() throws Exception {
        put(CONFIG_KEY, "{\"ttl\": 6, \"loop_wait\": 1, \"retry_timeout\": 2, \"future_setting\": {\"x\": 1}}");
        long version = cluster.cluster().configVersion();
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.agents.values().stream()
                .allMatch(a -> a.cluster().configValid() && a.cluster().configVersion() == version));
        HttpResponse<String> unknown = patch(leader, "{\"other_future_setting\": true}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("other_future_setting", "this Meridian version does not know it");
        assertThat(patch(leader, "{\"lag_tolerance\": 1000}").statusCode()).isEqualTo(200);
        assertThat(get(CONFIG_KEY)).contains("\"future_setting\":{\"x\":1}", "\"lag_tolerance\":1000");
    }

    @Test
    void aBadParameterIsRefusedAtWriteAndNothingRestarts() throws Exception {
        Cluster before = cluster.cluster();
        Map<String, Long> pids = pids();
        assertRefused(leader, "{\"parameters\": {\"no_such_param\": 1}}", "no_such_param", "unknown to PostgreSQL");
        // Through a replica: its agent asks the leader's PostgreSQL.
        assertRefused(replica, "{\"parameters\": {\"shared_buffers\": \"lots\"}}", "shared_buffers", "expected a whole number");
        assertRefused(leader, "{\"parameters\": {\"archive_command\": \"rm -rf /\"}}", "archive_command",
                "allow_shell_parameters");
        assertRefused(leader, "{\"parameters\": {\"port\": 1}}", "parameters.port", "managed by Meridian");
        assertRefused(leader, "{\"parameters\": {\"wal_level\": \"minimal\"}}", "wal_level", "replica or logical");
        assertThat(cluster.cluster().configVersion()).isEqualTo(before.configVersion());
        assertThat(pids()).isEqualTo(pids);

        HttpResponse<String> ok = patch(replica, "{\"parameters\": {\"work_mem\": \"8MB\", \"shared_buffers\": \"64MB\"}}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(cluster.cluster().config().parameters()).containsEntry("work_mem", "8MB");
    }

    private static void assertRefused(String node, String body, String... reason) throws Exception {
        HttpResponse<String> r = patch(node, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains(reason).contains("nothing written");
    }

    private static Map<String, Long> pids() {
        return cluster.names().stream().collect(Collectors.toMap(n -> n, cluster::postmasterPid));
    }

    private static void put(String key, String value) throws Exception {
        try (Client etcd = Client.builder().endpoints(cluster.etcd.clientUrl()).build()) {
            etcd.getKVClient().put(bytes(key), bytes(value)).get();
        }
    }

    private static String get(String key) throws Exception {
        try (Client etcd = Client.builder().endpoints(cluster.etcd.clientUrl()).build()) {
            return etcd.getKVClient().get(bytes(key)).get().getKvs().get(0).getValue().toString(StandardCharsets.UTF_8);
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> patch(String node, String body) throws Exception {
        return send(node, "PATCH", body);
    }

    private static HttpResponse<String> send(String node, String method, String body) throws Exception {
        String auth = Base64.getEncoder().encodeToString(("admin:" + cluster.restPassword()).getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cluster.restUrl(node) + "/config"))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).header("Authorization", "Basic " + auth)
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
