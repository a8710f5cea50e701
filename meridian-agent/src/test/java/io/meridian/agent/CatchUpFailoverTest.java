package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
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
        cluster.execute("paris-1", "CREATE TABLE acked (id int PRIMARY KEY)");
        for (String standby : List.of("paris-2", "newyork-1")) {
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> count(standby) == 0);
        }

        // Both standbys must have been seen streaming by their own HA loop (a failover candidate is
        // one that streamed until the leader was lost), not only in their member records.
        for (String standby : List.of("paris-2", "newyork-1")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.agents.get(standby).recentReasons().stream()
                    .anyMatch(r -> r.startsWith("no action: following paris-1 (streaming")));
        }
        parisLink = cluster.relayReplication("paris-2", "paris-1");
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
        cluster.execute("paris-2", "INSERT INTO acked VALUES (" + (ROWS + 1) + ")");
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> count("newyork-1") == ROWS + 1);
        assertThat(cluster.member("newyork-1").timeline()).isEqualTo(cluster.member("paris-2").timeline());
        assertThat(cluster.agents.get("newyork-1").recentReasons()).noneMatch(r -> r.contains("pg_rewind"));
    }

    private long count(String node) throws Exception {
        try (Connection conn = cluster.connect(node); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM acked")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
