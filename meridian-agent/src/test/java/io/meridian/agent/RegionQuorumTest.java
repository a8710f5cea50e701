package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Cross-region quorum: two nodes in the leader's region, one in each other region. Only standbys
 * outside the leader's region count, so losing the whole region loses no acknowledged commit.
 */
class RegionQuorumTest {

    @AutoClose
    private TestCluster cluster;

    @Test
    void aRegionOutageUnderWriteLoadLosesNoAcknowledgedWrite() throws Exception {
        DynamicConfig cfg = DynamicConfigParser.parse("test", "synchronous_mode: region_quorum\nsynchronous_node_count: 1\n");
        cluster = new TestCluster(List.of("paris", "paris", "newyork", "tokyo"), cfg);
        // paris-1 starts alone so that it bootstraps: the leader's region is known.
        cluster.start("paris-1");
        assertThat(cluster.awaitLeader(Duration.ofSeconds(90))).isEqualTo("paris-1");
        for (String n : List.of("paris-2", "newyork-1", "tokyo-1")) {
            cluster.start(n);
        }
        cluster.awaitStreaming(3, Duration.ofSeconds(120));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            Cluster c = cluster.cluster();
            return Set.copyOf(c.sync().members()).equals(Set.of("newyork-1", "tokyo-1")) && c.sync().quorum() == 1;
        });
        try (Connection conn = cluster.connect("paris-1"); Statement s = conn.createStatement();
             var rs = s.executeQuery("SHOW synchronous_standby_names")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("ANY 1 (\"newyork-1\", \"tokyo-1\")");
        }
        try (Writer w = new Writer(cluster)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> w.ackedCount() > 100);
            // The whole paris region goes dark at once.
            cluster.crashNode("paris-1");
            cluster.crashNode("paris-2");
            String next = cluster.awaitNewLeader("paris-1", Duration.ofSeconds(30));
            assertThat(next).isIn("newyork-1", "tokyo-1");
            // From its first moment as primary it waits for the other surviving region: no window
            // of asynchronous commits while the standbys re-point at it.
            String other = next.equals("newyork-1") ? "tokyo-1" : "newyork-1";
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                    .until(() -> "primary".equals(show(next, "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END")));
            // paris-2 may still be listed: its member key outlives it by up to a lease, and a dead
            // standby in the set only means the commit waits for the other one.
            assertThat(show(next, "SHOW synchronous_standby_names")).as("the new primary's first synchronous standbys")
                    .startsWith("ANY 1 (").contains("\"" + other + "\"").doesNotContain(next);
            long before = w.ackedCount();
            await().atMost(Duration.ofSeconds(30)).until(() -> w.ackedCount() > before + 20);
            assertThat(w.lostOn(next)).as("acknowledged writes lost in the region outage").isEmpty();
        }
    }

    private String show(String node, String sql) throws Exception {
        try (Connection conn = cluster.connect(node); Statement s = conn.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
