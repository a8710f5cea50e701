package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.lab.process.FreePorts;
import io.meridian.lab.wan.LinkRelay;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Region preference within lag_tolerance, without losing the bytes the preferred node lacks: the
 * leader's region-mate is behind a standby in another region when the leader dies; it must catch
 * up from that standby before it promotes.
 */
class CatchUpFailoverTest {

    private static final int ROWS = 100;
    private TestCluster cluster;
    private LinkRelay parisLink;

    @AfterEach
    void tearDown() {
        if (parisLink != null) {
            parisLink.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void preferredRegionMateCatchesUpFromTheMostAdvancedStandbyBeforePromoting() throws Exception {
        DynamicConfig cfg = DynamicConfigParser.parse("test", "lag_tolerance: 67108864\n");
        cluster = new TestCluster(List.of("paris", "paris", "newyork"), cfg);
        // paris-1 starts alone so that it bootstraps: the lost leader's region is then paris.
        cluster.start("paris-1");
        assertThat(cluster.awaitLeader(Duration.ofSeconds(90))).isEqualTo("paris-1");
        cluster.start("paris-2");
        cluster.start("newyork-1");
        cluster.awaitStreaming(2, Duration.ofSeconds(120));
        execute("paris-1", "CREATE TABLE acked (id int PRIMARY KEY)");
        for (String standby : List.of("paris-2", "newyork-1")) {
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> count(standby) == 0);
        }

        // Both standbys must have been seen streaming by their own HA loop (a failover candidate is
        // one that streamed until the leader was lost), not only in their member records.
        for (String standby : List.of("paris-2", "newyork-1")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.agents.get(standby).recentReasons().stream()
                    .anyMatch(r -> r.startsWith("no action: following paris-1 (streaming")));
        }
        routeParis2ThroughARelay();
        // paris-2's link to the leader goes dark but stays open: its WAL receiver still says
        // "streaming" (so it stays a candidate), and receives nothing more.
        parisLink.cut(true, true);
        try (Connection conn = cluster.connect("paris-1"); Statement s = conn.createStatement()) {
            for (int id = 1; id <= ROWS; id++) {
                s.executeUpdate("INSERT INTO acked VALUES (" + id + ")"); // acknowledged: committed on the leader
            }
        }
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> count("newyork-1") == ROWS);
        assertThat(count("paris-2")).as("paris-2 has none of the rows before the failover").isZero();

        cluster.crashNode("paris-1");
        String next = cluster.awaitNewLeader("paris-1", Duration.ofSeconds(60));
        assertThat(next).as("the lost leader's region wins within lag_tolerance").isEqualTo("paris-2");
        assertThat(count("paris-2")).as("acknowledged rows on the new leader").isEqualTo(ROWS);
        assertThat(cluster.agents.get("paris-2").recentReasons())
                .anyMatch(r -> r.contains("catching up from newyork-1 (") && r.contains("bytes ahead) before promoting"))
                .anyMatch(r -> r.startsWith("promoted to leader") && r.contains("caught up from newyork-1"));
        assertThat(cluster.agents.get("newyork-1").recentReasons())
                .anyMatch(r -> r.contains("paris-2 is the best candidate, following its lead"))
                .noneMatch(r -> r.startsWith("promoted to leader"));

        // The most advanced node is now exactly at the switch point: it follows without a rewind.
        cluster.awaitStreaming(1, Duration.ofSeconds(60));
        execute("paris-2", "INSERT INTO acked VALUES (" + (ROWS + 1) + ")");
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> count("newyork-1") == ROWS + 1);
        assertThat(cluster.member("newyork-1").timeline()).isEqualTo(cluster.member("paris-2").timeline());
        assertThat(cluster.agents.get("newyork-1").recentReasons()).noneMatch(r -> r.contains("pg_rewind"));
    }

    /**
     * Points paris-2's WAL receiver at a relay in front of paris-1. ALTER SYSTEM overrides Meridian's
     * rendered primary_conninfo; it is reset at once, so the setting lasts only until the agent's
     * next reload of paris-2 (the one that points it elsewhere).
     */
    private void routeParis2ThroughARelay() throws Exception {
        int leaderPort = cluster.nodes.get("paris-1").postgresql().connectAddress().port();
        parisLink = LinkRelay.start(FreePorts.allocate(), "127.0.0.1", leaderPort);
        String conninfo;
        try (Connection conn = cluster.connect("paris-2"); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SHOW primary_conninfo")) {
            rs.next();
            conninfo = rs.getString(1);
        }
        assertThat(conninfo).contains("port=" + leaderPort + " ");
        String relayed = conninfo.replace("port=" + leaderPort + " ", "port=" + parisLink.port() + " ");
        execute("paris-2", "ALTER SYSTEM SET primary_conninfo = '" + relayed.replace("'", "''") + "'");
        execute("paris-2", "SELECT pg_reload_conf()");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Connection conn = cluster.connect("paris-2"); Statement s = conn.createStatement();
                 ResultSet rs = s.executeQuery("SELECT sender_port, status FROM pg_stat_wal_receiver")) {
                return rs.next() && rs.getInt(1) == parisLink.port() && "streaming".equals(rs.getString(2));
            }
        });
        execute("paris-2", "ALTER SYSTEM RESET primary_conninfo");
    }

    private void execute(String node, String sql) throws Exception {
        try (Connection conn = cluster.connect(node); Statement s = conn.createStatement()) {
            s.execute(sql);
        }
    }

    private long count(String node) throws Exception {
        try (Connection conn = cluster.connect(node); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM acked")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
