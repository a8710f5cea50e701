package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Role;
import io.meridian.core.config.DynamicConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent against real etcd and three real PostgreSQL 15 nodes, at Meridian's default timings.
 * Each test starts its own cluster.
 */
class AgentFailoverTest {

    private static final List<String> REGIONS = List.of("paris", "newyork", "tokyo");
    private static final Duration BOOT = Duration.ofSeconds(90);
    private TestCluster cluster;

    private TestCluster bootedCluster() throws Exception {
        cluster = TestCluster.booted(REGIONS, DynamicConfig.DEFAULTS, false, BOOT);
        return cluster;
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void bootstrapGivesOneLeaderAndTwoStreamingReplicas() throws Exception {
        bootedCluster();
        Cluster c = cluster.cluster();
        assertThat(c.isInitialized()).isTrue();
        assertThat(c.members()).hasSize(3);
        assertThat(c.members().stream().filter(m -> m.role() == Role.PRIMARY)).hasSize(1);
        assertThat(c.members().stream().filter(m -> m.role() == Role.REPLICA && m.isStreaming())).hasSize(2);
        // A write on the leader reaches both replicas through their slots.
        String leader = c.leader().name();
        try (Connection conn = cluster.connect(leader); Statement s = conn.createStatement()) {
            s.execute("CREATE TABLE boot (x int)");
            s.execute("INSERT INTO boot VALUES (42)");
            var rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE active");
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
        for (String n : cluster.names()) {
            if (!n.equals(leader)) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    try (Connection conn = cluster.connect(n); Statement s = conn.createStatement();
                         var rs = s.executeQuery("SELECT x FROM boot")) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getInt(1)).isEqualTo(42);
                    }
                });
            }
        }
    }

    @Test
    void killedPostmasterIsRestartedInPlaceWithNoAcknowledgedWriteLost() throws Exception {
        bootedCluster();
        String leader = cluster.cluster().leader().name();
        try (Writer w = new Writer(cluster)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> w.ackedCount() > 50);
            cluster.killPostgres(leader);
            long before = w.ackedCount();
            await().atMost(Duration.ofSeconds(30)).until(() -> w.ackedCount() > before + 50);
            assertThat(cluster.awaitLeader(Duration.ofSeconds(5))).isEqualTo(leader);
            assertThat(w.lostOn(leader)).as("acknowledged writes lost").isEmpty();
            assertThat(cluster.agents.get(leader).recentReasons()).anyMatch(r -> r.contains("restarted the crashed primary"));
        }
    }

    @Test
    void killedLeaderNodeGivesNewLeaderAndTheOldNodeRejoinsAsReplica() throws Exception {
        bootedCluster();
        String old = cluster.cluster().leader().name();
        cluster.crashNode(old);
        String next = cluster.awaitNewLeader(old, Duration.ofSeconds(30));
        try (Connection conn = cluster.connect(next); Statement s = conn.createStatement()) {
            s.execute("CREATE TABLE after_failover (x int)");
        }
        cluster.start(old);
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
            var m = cluster.cluster().member(old);
            return m.isPresent() && m.get().role() == Role.REPLICA && m.get().isStreaming()
                    && m.get().timeline() == cluster.member(next).timeline();
        });
        assertThat(cluster.cluster().history()).anyMatch(e -> e.newLeader().equals(next) && "failover".equals(e.reason()));
    }

    @Test
    void switchoverMovesTheLeaderToTheNamedNodeWithNoAcknowledgedWriteLost() throws Exception {
        bootedCluster();
        String old = cluster.cluster().leader().name();
        String target = cluster.names().stream().filter(n -> !n.equals(old)).findFirst().orElseThrow();
        try (Writer w = new Writer(cluster)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> w.ackedCount() > 50);
            HttpResponse<String> r = post(old, "/switchover", "{\"leader\":\"" + old + "\",\"candidate\":\"" + target + "\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(cluster.awaitNewLeader(old, Duration.ofSeconds(10))).isEqualTo(target);
            long before = w.ackedCount();
            await().atMost(Duration.ofSeconds(20)).until(() -> w.ackedCount() > before + 50);
            assertThat(w.lostOn(target)).as("acknowledged writes lost").isEmpty();
        }
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            var m = cluster.cluster().member(old);
            return m.isPresent() && m.get().role() == Role.REPLICA && m.get().isStreaming();
        });
    }

    @Test
    void aPromotionEtcdDidNotTakeIsRecordedLaterWithItsOwnTimeAndTheSwitchoverIsCleared() throws Exception {
        bootedCluster();
        String old = cluster.cluster().leader().name();
        String target = cluster.names().stream().filter(n -> !n.equals(old)).findFirst().orElseThrow();
        ByteSequence historyKey = ByteSequence.from("/meridian/" + TestCluster.CLUSTER + "/history", StandardCharsets.UTF_8);
        try (Client etcd = Client.builder().endpoints(cluster.etcd.clientUrl()).build()) {
            KV kv = etcd.getKVClient();
            ByteSequence good = kv.get(historyKey).get(10, TimeUnit.SECONDS).getKvs().get(0).getValue();
            // The new leader cannot append to an undecodable history: its promotion must go on all the same.
            kv.put(historyKey, ByteSequence.from("not json", StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            long asked = System.currentTimeMillis();
            HttpResponse<String> r = post(old, "/switchover", "{\"leader\":\"" + old + "\",\"candidate\":\"" + target + "\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(cluster.awaitNewLeader(old, Duration.ofSeconds(30))).isEqualTo(target);
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> cluster.cluster().switchover() == null);
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.agents.get(target).lastReason().startsWith("no action"));
            long repaired = System.currentTimeMillis();
            kv.put(historyKey, good).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                    cluster.cluster().history().stream().anyMatch(e -> e.newLeader().equals(target)));
            var event = cluster.cluster().history().stream().filter(e -> e.newLeader().equals(target)).findFirst().orElseThrow();
            assertThat(event.reason()).isEqualTo("switchover");
            assertThat(event.atMillis()).as("the promotion's own time, not the repair's").isBetween(asked, repaired);
        }
    }

    @Test
    void withTlsBetweenNodesReplicationAndTheRestApisAreEncryptedAcrossAFailoverAndRejoin() throws Exception {
        cluster = new TestCluster(REGIONS, DynamicConfig.DEFAULTS, true);
        cluster.startAll();
        String old = cluster.awaitLeader(BOOT);
        // The replicas were cloned with pg_basebackup and stream through hostssl lines only:
        // any of them in plain text would have been refused.
        cluster.awaitStreaming(2, BOOT);
        assertThat(encryptedWalSenders(old)).isEqualTo(2);
        cluster.crashNode(old);
        String next = cluster.awaitNewLeader(old, Duration.ofSeconds(30));
        cluster.start(old);
        cluster.awaitStreaming(2, Duration.ofSeconds(120));
        assertThat(encryptedWalSenders(next)).isEqualTo(2);
        try (Connection conn = cluster.connect(next); Statement s = conn.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM pg_hba_file_rules WHERE type = 'host' AND address NOT IN ('127.0.0.1', '::1')")) {
            rs.next();
            assertThat(rs.getInt(1)).as("plain-text lines for remote addresses").isZero();
        }
        // The agents publish https URLs and reach each other through them, checking certificates.
        Cluster c = cluster.cluster();
        assertThat(c.members()).allMatch(m -> m.apiUrl().startsWith("https://"));
        var restTls = cluster.nodes.get(next).restapi().tls();
        assertThat(new PeerProbe(Duration.ofSeconds(5), restTls).candidates(c, next, null))
                .hasSize(2).allMatch(io.meridian.core.failover.Candidate::reachable);
        assertThat(new PeerProbe(Duration.ofSeconds(5)).candidates(c, next, null))
                .as("a caller that does not trust the cluster's authority").noneMatch(io.meridian.core.failover.Candidate::reachable);
    }

    /** WAL senders on {@code node} whose connection is encrypted, as PostgreSQL sees them. */
    private int encryptedWalSenders(String node) throws Exception {
        try (Connection conn = cluster.connect(node); Statement s = conn.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM pg_stat_replication r JOIN pg_stat_ssl l ON l.pid = r.pid WHERE l.ssl")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void switchoverToALaggingOrUnknownCandidateIsRefusedWithTheReason() throws Exception {
        bootedCluster();
        String leader = cluster.cluster().leader().name();
        HttpResponse<String> r = post(leader, "/switchover", "{\"candidate\":\"nobody-1\"}");
        assertThat(r.statusCode()).isEqualTo(412);
        assertThat(r.body()).contains("nobody-1 is not a member");
        HttpResponse<String> unauth = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(cluster.restUrl(leader) + "/switchover")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unauth.statusCode()).isEqualTo(401);
    }

    @Test
    void leaderCutOffFromEtcdStopsAcceptingWritesBeforeItsLeaseCanExpire() throws Exception {
        bootedCluster();
        String old = cluster.cluster().leader().name();
        long ttlMillis = DynamicConfig.DEFAULTS.ttlMillis();
        long cutAt = System.nanoTime();
        cluster.etcdLinks.get(old).cut(true, true);
        // The old primary must refuse writes before ttl has passed since the cut: its last renewal
        // was before the cut, so its lease can expire no earlier than that.
        await().atMost(Duration.ofMillis(ttlMillis)).pollInterval(Duration.ofMillis(50)).until(() -> {
            try (Connection conn = cluster.connect(old); Statement s = conn.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS fenced (x int); INSERT INTO fenced VALUES (1)");
                return false;
            } catch (Exception e) {
                return true;
            }
        });
        long fencedAfterMillis = (System.nanoTime() - cutAt) / 1_000_000;
        assertThat(fencedAfterMillis).isLessThan(ttlMillis);
        long fencedSeenAtMillis = System.currentTimeMillis();
        String next = cluster.awaitNewLeader(old, Duration.ofSeconds(30));
        assertThat(next).isNotEqualTo(old);
        // No overlap: the new leader was promoted after the old one stopped taking writes (the
        // poll that saw the refusal runs every 50 ms, hence the allowance).
        long promotedAtMillis = cluster.cluster().history().get(cluster.cluster().history().size() - 1).atMillis();
        assertThat(promotedAtMillis).isGreaterThan(fencedSeenAtMillis - 100);
        cluster.etcdLinks.get(old).heal();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
            var m = cluster.cluster().member(old);
            return m.isPresent() && m.get().role() == Role.REPLICA && m.get().isStreaming();
        });
    }

    @Test
    void pauseStopsAutomaticFailoverAndResumeRestoresIt() throws Exception {
        bootedCluster();
        String old = cluster.cluster().leader().name();
        String other = cluster.names().stream().filter(n -> !n.equals(old)).findFirst().orElseThrow();
        assertThat(patch(other, "{\"paused\": true}").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.agents.get(other).lastReason().startsWith("PAUSE"));
        cluster.crashNode(old);
        // Long enough for the lease to run out twice over: nobody may take over while paused.
        await().during(Duration.ofMillis(2 * DynamicConfig.DEFAULTS.ttlMillis())).atMost(Duration.ofSeconds(30))
                .ignoreExceptions().until(() -> !cluster.cluster().hasLeader() || cluster.cluster().isLeader(old));
        assertThat(patch(other, "{\"paused\": false}").statusCode()).isEqualTo(200);
        assertThat(cluster.awaitNewLeader(old, Duration.ofSeconds(30))).isNotEqualTo(old);
    }

    @Test
    void aDivergedOldLeaderRejoinsThroughPgRewind() throws Exception {
        bootedCluster();
        String old = cluster.cluster().leader().name();
        cluster.crashNode(old);
        String next = cluster.awaitNewLeader(old, Duration.ofSeconds(30));
        try (Connection conn = cluster.connect(next); Statement s = conn.createStatement()) {
            s.execute("CREATE TABLE history_kept (x int); INSERT INTO history_kept VALUES (1)");
        }
        // Someone starts the old primary by hand and writes to it: its timeline 1 now forks from
        // the cluster's timeline 2.
        var oldPg = new io.meridian.core.postgres.LocalPostgres(cluster.nodes.get(old));
        oldPg.start(null, null, java.util.Map.of(), 60);
        try (Connection conn = cluster.connect(old); Statement s = conn.createStatement()) {
            s.execute("CREATE TABLE forked (x int); INSERT INTO forked SELECT generate_series(1, 1000)");
        }
        oldPg.stop("fast", 60);
        cluster.start(old);
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> {
            var m = cluster.cluster().member(old);
            return m.isPresent() && m.get().role() == Role.REPLICA && m.get().isStreaming()
                    && m.get().timeline() == cluster.member(next).timeline();
        });
        assertThat(cluster.agents.get(old).recentReasons()).anyMatch(r -> r.contains("pg_rewind"));
        try (Connection conn = cluster.connect(old); Statement s = conn.createStatement()) {
            var rs = s.executeQuery("SELECT to_regclass('forked') IS NULL, (SELECT count(*) FROM history_kept)");
            rs.next();
            assertThat(rs.getBoolean(1)).as("the forked table is gone after rewind").isTrue();
            assertThat(rs.getLong(2)).isEqualTo(1);
        }
    }

    @Test
    void aSecondFailoverInARowStillFindsACandidate() throws Exception {
        bootedCluster();
        String first = cluster.cluster().leader().name();
        cluster.crashNode(first);
        String second = cluster.awaitNewLeader(first, Duration.ofSeconds(30));
        cluster.start(first);
        cluster.awaitStreaming(2, Duration.ofSeconds(120));
        // Standbys now stream on timeline 2; when its leader dies their WAL receivers vanish and
        // the control file still says timeline 1 until a restartpoint: they must stay eligible.
        cluster.crashNode(second);
        String third = cluster.awaitNewLeader(second, Duration.ofSeconds(30));
        assertThat(third).isNotEqualTo(second);
        assertThat(cluster.member(third).timeline()).isEqualTo(3);
    }

    private HttpResponse<String> post(String node, String path, String body) throws Exception {
        return send(node, HttpRequest.newBuilder(URI.create(cluster.restUrl(node) + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> patch(String node, String body) throws Exception {
        return send(node, HttpRequest.newBuilder(URI.create(cluster.restUrl(node) + "/config"))
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> send(String node, HttpRequest.Builder b) throws Exception {
        String auth = Base64.getEncoder().encodeToString(("admin:" + cluster.restPassword()).getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(b.header("Authorization", "Basic " + auth).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
