package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.core.config.DynamicConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Meridian's answers at Patroni's URLs, from a real two-node cluster with a synchronous standby,
 * against what Debian's Patroni 3.0.2 answered in the same situation (recorded under
 * {@code src/test/resources/patroni/}, see its README): every key Patroni writes is there with the
 * same JSON type, health codes match, {@code POST /restart} answers Patroni's bodies with Patroni's
 * codes. The switchover, which {@code /history} needs, runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PatroniApiTest {

    /** Quorum commit with one standby: the standby is in the synchronous set, as pg2 was in the recording. */
    private static final DynamicConfig SYNC = new DynamicConfig(20, 1, 5, 1024L * 1024, 3, 1800, false, 0, List.of(),
            "quorum", 1, false, false, Map.of());
    private static final Duration BOOT = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestCluster cluster;
    private static String leader;
    private static String replica;

    @BeforeAll
    static void boot() throws Exception {
        cluster = TestCluster.booted(List.of("paris", "newyork"), SYNC, false, BOOT);
        leader = cluster.awaitLeader(BOOT);
        replica = cluster.names().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        await().atMost(BOOT).ignoreExceptions().until(() -> cluster.cluster().sync().members().contains(replica));
        // A replayed commit, so the standby's replayed_timestamp is a time, as in the recording.
        try (Connection c = cluster.connect(leader); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE patroni_api (id int)");
        }
        await().atMost(BOOT).until(() -> get(replica, "/patroni").path("xlog").path("replayed_timestamp").isTextual());
    }

    @AfterAll
    static void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void patroniHasPatronisKeysAndTypesOnThePrimaryAndTheSyncStandby() throws Exception {
        JsonNode primary = get(leader, "/patroni");
        assertSameShape(recorded("patroni-primary.json"), primary, "/patroni");
        assertThat(primary.path("role").asText()).isEqualTo("master");
        assertThat(primary.path("server_version").asInt()).isBetween(150000, 159999);
        assertThat(primary.path("replication").get(0).path("application_name").asText()).isEqualTo(replica);
        assertThat(primary.path("patroni").path("scope").asText()).isEqualTo(TestCluster.CLUSTER);
        assertThat(primary.has("cluster_unlocked")).isFalse();
        assertThat(primary.path("dcs_last_seen").asLong()).isCloseTo(Instant.now().getEpochSecond(),
                org.assertj.core.data.Offset.offset(30L));
        JsonNode standby = get(replica, "/patroni");
        assertSameShape(recorded("patroni-replica.json"), standby, "/patroni");
        assertThat(standby.path("role").asText()).isEqualTo("replica");
        assertThat(standby.path("sync_standby").asBoolean()).isTrue();
        assertThat(standby.path("region").asText()).isEqualTo(cluster.nodes.get(replica).region());
        // Meridian's own status, which peers read during a leader race, is unchanged.
        assertThat(get(leader, "/status").path("is_leader").asBoolean()).isTrue();
    }

    @Test
    @Order(2)
    void clusterListsMembersInPatronisShape() throws Exception {
        JsonNode c = get(replica, "/cluster");
        JsonNode want = recorded("cluster.json");
        assertThat(c.path("members")).hasSize(2);
        for (JsonNode m : c.path("members")) {
            JsonNode sample = recordedMember(want, m.path("role").asText());
            assertSameShape(sample, m, "/cluster member " + m.path("name").asText());
            assertThat(m.path("api_url").asText()).isEqualTo(cluster.restUrl(m.path("name").asText()) + "/patroni");
        }
        assertThat(c.path("members").findValuesAsText("role")).containsExactlyInAnyOrder("leader", "sync_standby");
        // Meridian's record, with the routers' reports, moved beside it.
        JsonNode own = get(replica, "/meridian/cluster");
        assertThat(own.path("leader").path("name").asText()).isEqualTo(leader);
        assertThat(own.has("routers")).isTrue();
    }

    @Test
    @Order(3)
    void healthChecksAnswerAsPatroniDidOnTheLeaderAndTheSyncStandby() throws Exception {
        JsonNode codes = recorded("health-codes.json");
        for (Iterator<Map.Entry<String, JsonNode>> it = codes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = e.getKey();
            if (path.equals("/quorum")) {
                continue; // 3.0.2 has no quorum commit; see quorumAnswersForTheSynchronousSet
            }
            assertThat(options(leader, path)).as("OPTIONS %s on the leader", path)
                    .isEqualTo(e.getValue().path("after leader").asInt());
            assertThat(options(replica, path)).as("OPTIONS %s on the sync standby", path)
                    .isEqualTo(e.getValue().path("after sync_standby").asInt());
        }
        // A GET answers with the /patroni body and the check's status.
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(cluster.restUrl(replica) + "/primary")).GET());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(r.body()).path("role").asText()).isEqualTo("replica");
    }

    @Test
    @Order(4)
    void quorumAnswersForTheSynchronousSet() throws Exception {
        // Patroni 4's meaning (a member of the quorum set); every Meridian synchronous set is a quorum.
        assertThat(options(replica, "/quorum")).isEqualTo(200);
        assertThat(options(leader, "/quorum")).isEqualTo(503);
        assertThat(options(leader, "/read-only-quorum")).isEqualTo(200);
        assertThat(options(replica, "/read-only-quorum")).isEqualTo(200);
    }

    @Test
    @Order(5)
    void restartTakesPatronisBodyWithPatronisCodes() throws Exception {
        JsonNode recorded = recorded("restart.json");
        for (Iterator<Map.Entry<String, JsonNode>> it = recorded.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().startsWith("POST /restart on replica pg1 ")) {
                continue;
            }
            String body = e.getKey().substring("POST /restart on replica pg1 ".length());
            HttpResponse<String> r = send(authed(replica, "/restart").POST(HttpRequest.BodyPublishers.ofString(body)));
            assertThat(r.statusCode()).as("POST /restart %s", body).isEqualTo(e.getValue().path("status").asInt());
            assertThat(r.body()).as("POST /restart %s", body).startsWith(e.getValue().path("body").asText());
        }
        // The 2099 restart is scheduled and listed as Patroni lists it; a second one is refused.
        assertSameShape(recorded("patroni-scheduled-restart.json"), get(replica, "/patroni"), "/patroni");
        assertThat(send(authed(replica, "/restart").POST(HttpRequest.BodyPublishers.ofString(
                "{\"schedule\": \"2098-01-01T00:00:00+00:00\"}"))).statusCode()).isEqualTo(409);
        assertThat(send(authed(replica, "/restart").DELETE()).statusCode()).isEqualTo(200);
        assertThat(send(authed(replica, "/restart").DELETE()).statusCode()).isEqualTo(404);
        assertThat(get(replica, "/patroni").has("scheduled_restart")).isFalse();
        // Without credentials a restart is refused, as every mutating endpoint.
        assertThat(send(HttpRequest.newBuilder(URI.create(cluster.restUrl(replica) + "/restart"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))).statusCode()).isEqualTo(401);
    }

    @Test
    @Order(6)
    void aRestartWhoseConditionsHoldRestartsNowOrAtItsTime() throws Exception {
        long before = cluster.postmasterPid(replica);
        HttpResponse<String> now = send(authed(replica, "/restart").POST(HttpRequest.BodyPublishers.ofString(
                "{\"role\": \"replica\"}")));
        assertThat(now.statusCode()).as(now.body()).isEqualTo(200);
        long restarted = cluster.postmasterPid(replica);
        assertThat(restarted).isPositive().isNotEqualTo(before);
        String at = Instant.now().plusSeconds(3).toString();
        HttpResponse<String> later = send(authed(replica, "/restart").POST(HttpRequest.BodyPublishers.ofString(
                "{\"schedule\": \"" + at + "\", \"role\": \"replica\"}")));
        assertThat(later.statusCode()).as(later.body()).isEqualTo(202);
        assertThat(cluster.postmasterPid(replica)).isEqualTo(restarted);
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            long pid = cluster.postmasterPid(replica);
            return pid > 0 && pid != restarted;
        });
        cluster.awaitStreaming(1, BOOT);
    }

    @Test
    @Order(7)
    void historyListsPatronisLinesAfterASwitchover() throws Exception {
        assertThat(get(leader, "/history")).isEmpty(); // the bootstrap ended no timeline
        HttpResponse<String> r = send(authed(leader, "/switchover").timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString("{\"leader\": \"" + leader + "\", \"candidate\": \"" + replica + "\"}")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        await().atMost(BOOT).ignoreExceptions().until(() -> get(replica, "/history").size() == 1);
        JsonNode history = get(replica, "/history");
        JsonNode want = recorded("history.json");
        assertThat(history.get(0)).hasSize(want.get(0).size());
        for (int i = 0; i < want.get(0).size(); i++) {
            assertThat(history.get(0).get(i).getNodeType()).as("history line element %d", i)
                    .isEqualTo(want.get(0).get(i).getNodeType());
        }
        assertThat(history.get(0).get(0).asLong()).isEqualTo(1);
        assertThat(history.get(0).get(4).asText()).isEqualTo(replica);
        assertThat(history.get(0).get(3).asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00");
        // Meridian's richer record stays at /meridian/history.
        assertThat(get(replica, "/meridian/history").get(1).path("new_leader").asText()).isEqualTo(replica);
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** Every key of {@code want} is in {@code got} with the same JSON type; objects and arrays are compared inside. */
    static void assertSameShape(JsonNode want, JsonNode got, String where) {
        List<String> problems = new ArrayList<>();
        compare(want, got, where, problems);
        assertThat(problems).as("shape of %s against Patroni's: %s", where, got).isEmpty();
    }

    private static void compare(JsonNode want, JsonNode got, String at, List<String> problems) {
        if (got == null || got.isMissingNode()) {
            problems.add(at + " is missing");
            return;
        }
        if (want.getNodeType() != got.getNodeType() && !(want.isNumber() && got.isNumber())) {
            problems.add(at + " is " + got.getNodeType() + ", Patroni's is " + want.getNodeType());
            return;
        }
        if (want.isObject()) {
            for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (Set.of("tags").contains(k) && !got.has(k)) {
                    continue; // present only when a tag is set, in Patroni and here
                }
                compare(want.get(k), got.get(k), at + "." + k, problems);
            }
        } else if (want.isArray() && !want.isEmpty() && !got.isEmpty()) {
            compare(want.get(0), got.get(0), at + "[0]", problems);
        }
    }

    private static JsonNode recordedMember(JsonNode cluster, String role) {
        for (JsonNode m : cluster.path("members")) {
            if (m.path("role").asText().equals(role)) {
                return m;
            }
        }
        throw new AssertionError("no " + role + " in the recorded /cluster");
    }

    private static JsonNode recorded(String file) throws IOException {
        try (InputStream in = PatroniApiTest.class.getResourceAsStream("/patroni/" + file)) {
            return JSON.readTree(in);
        }
    }

    private static JsonNode get(String node, String path) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(cluster.restUrl(node) + path)).GET());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static int options(String node, String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(cluster.restUrl(node) + path))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())).statusCode();
    }

    private static HttpRequest.Builder authed(String node, String path) {
        String auth = Base64.getEncoder().encodeToString(("admin:" + cluster.restPassword()).getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(URI.create(cluster.restUrl(node) + path)).header("Authorization", "Basic " + auth)
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(5));
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
