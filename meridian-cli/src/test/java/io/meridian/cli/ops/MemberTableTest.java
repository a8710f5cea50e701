package io.meridian.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.config.DynamicConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemberTableTest {

    @Test
    void rendersLikePatronictlWithRegionLeaderFirstAndLagInWholeMegabytes() {
        String table = MemberTable.render(Clusters.threeRegions());
        assertThat(table.lines().toList()).containsExactly(
                "+ Cluster: lab (7240434620286377512) --+---------+-----------+----+-----------+",
                "| Member    | Host           | Region  | Role    | State     | TL | Lag in MB |",
                "+-----------+----------------+---------+---------+-----------+----+-----------+",
                "| paris-1   | 127.0.0.1:5432 | paris   | Leader  | running   |  1 |           |",
                "| newyork-1 | 127.0.0.1:5433 | newyork | Replica | streaming |  1 |         0 |",
                "| tokyo-1   | 127.0.0.1:5433 | tokyo   | Replica | streaming |  1 |         3 |",
                "+-----------+----------------+---------+---------+-----------+----+-----------+");
    }

    @Test
    void saysWhenThereIsNoLeaderAndWhenPaused() {
        var c = Clusters.cluster(null, DynamicConfig.DEFAULTS.withPaused(true),
                Clusters.replica("newyork-1", "newyork", 1, 0, null));
        String table = MemberTable.render(c);
        assertThat(table).contains(" No leader.").contains(" Maintenance mode: on")
                .contains("| newyork-1 | 127.0.0.1:5433 | newyork | Replica | in archive recovery |  1 |");
    }

    @Test
    void aRunningReplicaThatDoesNotStreamIsNotShownAsRunning() {
        var c = Clusters.cluster("paris-1", DynamicConfig.DEFAULTS, Clusters.primary("paris-1", "paris", 2),
                Clusters.replica("newyork-1", "newyork", 1, 50 << 20, "stopped"));
        assertThat(MemberTable.rows(c).get(1)).containsEntry("State", "in archive recovery");
    }

    @Test
    void aReplicaThatCannotStreamSaysWhyUnderTheTable() {
        var r = Clusters.replica("newyork-1", "newyork", 1, 50 << 20, "stopped");
        var failing = new io.meridian.core.cluster.Member(r.name(), r.region(), r.role(), r.state(), r.timeline(),
                r.writeLsn(), r.receiveLsn(), r.replayLsn(), r.replicationState(), r.replayLagSeconds(), r.host(), r.port(),
                r.apiUrl(), r.tags(), r.updatedAtMillis(), null,
                "password authentication failed for user \"replicator\" (since 40 s)");
        var c = Clusters.cluster("paris-1", DynamicConfig.DEFAULTS, Clusters.primary("paris-1", "paris", 1), failing);
        assertThat(MemberTable.render(c)).contains(
                " newyork-1 is not streaming: password authentication failed for user \"replicator\" (since 40 s)");
        assertThat(MemberTable.render(Clusters.threeRegions())).doesNotContain("is not streaming");
    }

    @Test
    void jsonRowsUsePatronictlKeysSoSeedScriptsKeepWorking() {
        List<Map<String, Object>> rows = MemberTable.rows(Clusters.threeRegions());
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).containsEntry("Member", "paris-1").containsEntry("Role", "Leader")
                .containsEntry("Lag in MB", null).containsEntry("Region", "paris");
        assertThat(rows.get(2)).containsEntry("Lag in MB", 3L).containsEntry("State", "streaming").containsEntry("TL", 1L);
        assertThat(rows.get(0).keySet()).containsExactly("Cluster", "Member", "Host", "Region", "Role", "State", "TL", "Lag in MB");
    }

    @Test
    void lagIsUnknownWhenAReplicaReportedNoPosition() {
        var silent = new io.meridian.core.cluster.Member("tokyo-1", "tokyo", io.meridian.core.cluster.Role.REPLICA,
                "starting", 0, null, null, null, null, -1, "127.0.0.1", 5434, null, null, 0);
        var c = Clusters.cluster("paris-1", DynamicConfig.DEFAULTS, Clusters.primary("paris-1", "paris", 1), silent);
        assertThat(MemberTable.render(c)).contains("| tokyo-1 | 127.0.0.1:5434 | tokyo  | Replica | starting |    |   unknown |");
    }

    @Test
    void topologyPutsTheLeadersRegionFirstThenRegionPriority() {
        var config = new DynamicConfig(6, 1, 2, 1 << 20, 3, 1800, false, 16 << 20, List.of("tokyo", "newyork"), "off", 1,
                false, false, Map.of());
        var c = Clusters.cluster("paris-1", config, Clusters.replica("newyork-1", "newyork", 1, 0, "streaming"),
                Clusters.replica("tokyo-1", "tokyo", 1, 0, "streaming"), Clusters.primary("paris-1", "paris", 1));
        List<String> lines = TopologyView.render(c).lines().toList();
        assertThat(lines.get(0)).isEqualTo("Cluster: lab (7240434620286377512)");
        assertThat(lines.get(1)).isEqualTo("├── paris");
        assertThat(lines.get(2)).startsWith("│   └── paris-1 [Leader] running, TL 1");
        assertThat(lines.get(3)).isEqualTo("├── tokyo");
        assertThat(lines.get(5)).isEqualTo("└── newyork");
        assertThat(lines.get(6)).startsWith("    └── newyork-1 [Replica] streaming, TL 1").endsWith("lag 0");
    }
}
