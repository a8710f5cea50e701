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
import io.meridian.core.process.FreePorts;
import io.meridian.core.wan.LinkRelay;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
        // synchronous_mode off (the default). No autovacuum: only the writer commits on the old primary.
        DynamicConfig cfg = DynamicConfigParser.parse("test", "parameters:\n  autovacuum: 'off'\n");
        assertThat(cfg.synchronousMode()).isEqualTo("off");
        cluster = new TestCluster(List.of("paris", "newyork"), cfg);
        cluster.start("paris-1");
        assertThat(cluster.awaitLeader(Duration.ofSeconds(90))).isEqualTo("paris-1");
        cluster.start("newyork-1");
        cluster.awaitStreaming(1, Duration.ofSeconds(120));
        execute("paris-1", "CREATE TABLE orders (id int PRIMARY KEY)");
        for (int id = 1; id <= KEPT; id++) {
            execute("paris-1", "INSERT INTO orders VALUES (" + id + ")");
        }
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> count("newyork-1") == KEPT);
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.agents.get("newyork-1").recentReasons().stream()
                .anyMatch(r -> r.startsWith("no action: following paris-1 (streaming")));

        // The standby's link goes dark but stays open: it stays a candidate and receives nothing more.
        routeStandbyThroughARelay();
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

    /**
     * Points newyork-1's WAL receiver at a relay in front of paris-1 (ALTER SYSTEM overrides the
     * rendered primary_conninfo, and is reset at once so it lasts only until the next reload).
     */
    private void routeStandbyThroughARelay() throws Exception {
        int leaderPort = cluster.nodes.get("paris-1").postgresql().connectAddress().port();
        standbyLink = LinkRelay.start(FreePorts.allocate(), "127.0.0.1", leaderPort);
        String conninfo;
        try (Connection conn = cluster.connect("newyork-1"); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SHOW primary_conninfo")) {
            rs.next();
            conninfo = rs.getString(1);
        }
        String relayed = conninfo.replace("port=" + leaderPort + " ", "port=" + standbyLink.port() + " ");
        assertThat(relayed).isNotEqualTo(conninfo);
        execute("newyork-1", "ALTER SYSTEM SET primary_conninfo = '" + relayed.replace("'", "''") + "'");
        execute("newyork-1", "SELECT pg_reload_conf()");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Connection conn = cluster.connect("newyork-1"); Statement s = conn.createStatement();
                 ResultSet rs = s.executeQuery("SELECT sender_port, status FROM pg_stat_wal_receiver")) {
                return rs.next() && rs.getInt(1) == standbyLink.port() && "streaming".equals(rs.getString(2));
            }
        });
        execute("newyork-1", "ALTER SYSTEM RESET primary_conninfo");
    }

    private void execute(String node, String sql) throws Exception {
        try (Connection conn = cluster.connect(node); Statement s = conn.createStatement()) {
            s.execute(sql);
        }
    }

    private long count(String node) throws Exception {
        try (Connection conn = cluster.connect(node); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
