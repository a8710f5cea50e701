package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.core.cluster.LostTransactions;
import io.meridian.core.cluster.Role;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.core.config.NodeConfig;
import io.meridian.lab.wan.LinkRelay;
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
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An asynchronous failover loses the commits the old primary made after its standby stopped
 * receiving WAL. When the old primary rejoins through pg_rewind, those commits must be saved and
 * recorded, exactly: the record's count and xids are those the writer got acknowledged and the new
 * leader lacks.
 */
class LostTransactionsTest {

    private static final int KEPT = 10;
    private static final int LOST = 25;
    private TestCluster cluster;
    private LinkRelay standbyLink;

    @AfterEach
    void tearDown() {
        if (standbyLink != null) {
            standbyLink.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aRejoinAfterAnAsyncFailoverRecordsExactlyTheCommitsTheNewLeaderLacks() throws Exception {
        List<Long> acked = commitPastTheStandbyAndFailOver();
        cluster.start("paris-1");
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> {
            var m = cluster.cluster().member("paris-1");
            return m.isPresent() && m.get().role() == Role.REPLICA && m.get().isStreaming()
                    && m.get().timeline() == cluster.member("newyork-1").timeline();
        });

        // What the new leader lacks: exactly the rows written after the cut.
        List<Integer> missing = new ArrayList<>();
        try (Connection conn = cluster.connect("newyork-1"); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT g FROM generate_series(1, " + (KEPT + LOST) + ") g"
                     + " WHERE NOT EXISTS (SELECT 1 FROM orders WHERE id = g) ORDER BY g")) {
            while (rs.next()) {
                missing.add(rs.getInt(1));
            }
        }
        assertThat(missing).hasSize(LOST).first().isEqualTo(KEPT + 1);

        TimelineEvent failover = cluster.cluster().history().stream().filter(e -> e.timeline() == 2).findFirst().orElseThrow();
        assertThat(failover.newLeader()).isEqualTo("newyork-1");
        assertThat(failover.lost()).as("lost-transactions records of the failover").hasSize(1);
        LostTransactions lost = failover.lost().get(0);
        assertThat(lost.member()).isEqualTo("paris-1");
        assertThat(lost.fromTimeline()).isEqualTo(1);
        assertThat(lost.toTimeline()).isEqualTo(2);
        assertThat(lost.commits()).isEqualTo(LOST);
        assertThat(lost.firstXid()).isEqualTo(acked.get(0));
        assertThat(lost.lastXid()).isEqualTo(acked.get(LOST - 1));
        assertThat(lost.tables()).containsExactly("public.orders");
        assertThat(lost.firstCommitAt()).isPositive().isLessThanOrEqualTo(lost.lastCommitAt());

        Path folder = Path.of(lost.folder());
        assertThat(folder.getParent()).isEqualTo(cluster.nodes.get("paris-1").postgresql().lostTransactionsDir());
        assertThat(folder.getFileName().toString()).endsWith("-tl1-to-tl2");
        JsonNode summary = new ObjectMapper().readTree(folder.resolve("summary.json").toFile());
        List<Long> xids = StreamSupport.stream(summary.get("xids").spliterator(), false).map(JsonNode::asLong).toList();
        assertThat(xids).as("xids in summary.json").isEqualTo(acked);
        assertThat(summary.get("segments").size()).isPositive();
        try (var files = Files.list(folder)) {
            assertThat(files.filter(p -> p.getFileName().toString().matches("00000001[0-9A-F]{16}"))).isNotEmpty();
        }

        assertThat(cluster.agents.get("paris-1").recentReasons())
                .anyMatch(r -> r.startsWith("rejoined newyork-1 with pg_rewind") && r.contains("paris-1 lost " + LOST + " commits"));
        assertThat(lostTransactionsMetric("paris-1")).isEqualTo(LOST);
        assertThat(lostTransactionsMetric("newyork-1")).isZero();
    }

    @Test
    void aFailedRewindKeepsTheDataDirectoryStopsWithTheReasonAndRetriesNothingUntilReinit() throws Exception {
        commitPastTheStandbyAndFailOver();
        Path calls = useFailingPgRewind("paris-1");
        Path data = cluster.nodes.get("paris-1").postgresql().dataDir();
        cluster.start("paris-1");
        await().atMost(Duration.ofSeconds(60)).until(() -> cluster.agents.get("paris-1").lastReason().startsWith("rewind failed: "));
        // The cycle that ran pg_rewind also says what was saved; every later one only why it waits.
        assertThat(cluster.agents.get("paris-1").recentReasons()).anyMatch(r -> r.startsWith("rewind failed: ")
                && r.contains("paris-1 lost " + LOST + " commits"));
        String reason = "rewind failed: pg_rewind from newyork-1 exited with 1: pg_rewind: error: could not fetch the source"
                + " (injected by the test); data directory " + data + " kept, reinitialize with `meridian reinit paris-1`"
                + " or set postgresql.remove_data_directory_on_rewind_failure in the node file";
        // Kept and stopped, with nothing retried: not the rewind, not a clone.
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(Files.readAllLines(calls)).as("pg_rewind runs").hasSize(1);
            assertThat(cluster.postmasterPid("paris-1")).as("postmaster").isNegative();
            assertThat(data.resolve("PG_VERSION")).exists();
            assertThat(data.resolve("base")).isDirectory();
            assertThat(cluster.agents.get("paris-1").lastReason()).isEqualTo(reason);
        });
        assertThat(cluster.agents.get("paris-1").recentReasons()).noneMatch(r -> r.contains("pg_basebackup") || r.contains("cloned"));
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(cluster.restUrl("paris-1") + "/health")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("rewind failed: ");
        // The commits were saved before pg_rewind ran, so they are recorded all the same.
        assertThat(cluster.cluster().history().stream().flatMap(e -> e.lost().stream()))
                .anyMatch(l -> l.member().equals("paris-1") && l.commits() == LOST);

        // The operator's reinitialize is what wipes it.
        String auth = java.util.Base64.getEncoder().encodeToString(("admin:" + cluster.restPassword())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        HttpResponse<String> reinit = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(cluster.restUrl("paris-1") + "/reinitialize")).header("Authorization", "Basic " + auth)
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(180)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reinit.statusCode()).as(reinit.body()).isEqualTo(200);
        cluster.awaitStreaming(1, Duration.ofSeconds(120));
        assertThat(count("paris-1")).isEqualTo(KEPT);
    }

    /**
     * Gives {@code node} a bin_dir whose pg_rewind fails (every other tool is the real one) and
     * notes each call in the returned file.
     */
    private Path useFailingPgRewind(String node) throws Exception {
        Path bin = cluster.dir.resolve("failing-bin");
        Files.createDirectories(bin);
        Path real = Path.of("/usr/lib/postgresql/15/bin");
        try (var tools = Files.list(real)) {
            for (Path t : tools.toList()) {
                if (!t.getFileName().toString().equals("pg_rewind")) {
                    Files.createSymbolicLink(bin.resolve(t.getFileName()), t);
                }
            }
        }
        Path calls = cluster.dir.resolve("pg_rewind.calls");
        Files.createFile(calls, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-")));
        Files.setPosixFilePermissions(calls, PosixFilePermissions.fromString("rw-rw-rw-"));
        Path rewind = bin.resolve("pg_rewind");
        Files.writeString(rewind, "#!/bin/sh\necho \"$*\" >> " + calls + "\n"
                + "echo 'pg_rewind: error: could not fetch the source (injected by the test)' >&2\nexit 1\n");
        Files.setPosixFilePermissions(rewind, PosixFilePermissions.fromString("rwxr-xr-x"));
        NodeConfig n = cluster.nodes.get(node);
        NodeConfig.Postgres p = n.postgresql();
        cluster.nodes.put(node, new NodeConfig(n.source(), n.cluster(), n.name(), n.region(), n.etcd(),
                new NodeConfig.Postgres(bin, p.dataDir(), p.listen(), p.connectAddress(), p.osUser(), p.superuser(),
                        p.replication(), p.parameters(), p.pgHba(), p.tls(), p.allowShellParameters(), p.lostTransactionsDir(), false),
                n.restapi(), n.tags(), n.bootstrap()));
        return calls;
    }

    /**
     * Two nodes, synchronous_mode off: paris-1 leads; newyork-1 stops receiving WAL (its link goes
     * dark but stays open, so it stays a candidate), paris-1 commits {@link #LOST} rows, dies, and
     * newyork-1 is promoted. Returns the xids of those commits, acknowledged by paris-1 alone.
     */
    private List<Long> commitPastTheStandbyAndFailOver() throws Exception {
        // synchronous_mode off (the default). No autovacuum: only the writer commits on the old primary.
        DynamicConfig cfg = DynamicConfigParser.parse("test", "parameters:\n  autovacuum: 'off'\n");
        assertThat(cfg.synchronousMode()).isEqualTo("off");
        cluster = new TestCluster(List.of("paris", "newyork"), cfg);
        cluster.start("paris-1");
        assertThat(cluster.awaitLeader(Duration.ofSeconds(90))).isEqualTo("paris-1");
        cluster.start("newyork-1");
        cluster.awaitStreaming(1, Duration.ofSeconds(120));
        cluster.execute("paris-1", "CREATE TABLE orders (id int PRIMARY KEY)");
        for (int id = 1; id <= KEPT; id++) {
            cluster.execute("paris-1", "INSERT INTO orders VALUES (" + id + ")");
        }
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> count("newyork-1") == KEPT);
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.agents.get("newyork-1").recentReasons().stream()
                .anyMatch(r -> r.startsWith("no action: following paris-1 (streaming")));

        standbyLink = cluster.relayReplication("newyork-1", "paris-1");
        standbyLink.cut(true, true);
        List<Long> acked = new ArrayList<>();
        try (Connection conn = cluster.connect("paris-1"); Statement s = conn.createStatement()) {
            for (int id = KEPT + 1; id <= KEPT + LOST; id++) {
                try (ResultSet rs = s.executeQuery("INSERT INTO orders VALUES (" + id + ") RETURNING pg_current_xact_id()::text")) {
                    rs.next();
                    acked.add(Long.parseLong(rs.getString(1))); // autocommit: returned means committed
                }
            }
        }
        assertThat(count("newyork-1")).as("the standby received none of the later commits").isEqualTo(KEPT);

        cluster.crashNode("paris-1");
        assertThat(cluster.awaitNewLeader("paris-1", Duration.ofSeconds(60))).isEqualTo("newyork-1");
        return acked;
    }

    /** paris-1's {@code meridian_lost_transactions_total}, once it has counted (its next cycle after the rejoin). */
    private double lostTransactionsMetric(String node) {
        Pattern sample = Pattern.compile("^meridian_lost_transactions_total\\{[^}]*member=\"" + node + "\"[^}]*} (\\S+)$",
                Pattern.MULTILINE);
        double[] value = new double[1];
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(cluster.restUrl(node) + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = sample.matcher(r.body());
            if (!m.find()) {
                return false;
            }
            value[0] = Double.parseDouble(m.group(1));
            return !node.equals("paris-1") || value[0] > 0;
        });
        return value[0];
    }

    private long count(String node) throws Exception {
        try (Connection conn = cluster.connect(node); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
