package io.meridian.agent.metrics;

import static io.meridian.agent.metrics.ClusterFixtures.MIB;
import static io.meridian.agent.metrics.ClusterFixtures.connection;
import static io.meridian.agent.metrics.ClusterFixtures.primaryState;
import static io.meridian.agent.metrics.ClusterFixtures.replicaState;
import static io.meridian.agent.metrics.ClusterFixtures.slot;
import static io.meridian.agent.metrics.ClusterFixtures.threeRegions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meridian.core.BuildInfo;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.SyncState;
import io.meridian.core.postgres.PgState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentMetricsTest {

    private static final long HEAD = 1024 * MIB;
    private final ClusterFixtures.ManualClock clock = new ClusterFixtures.ManualClock(Instant.parse("2025-01-01T00:00:00Z"));

    private ScrapeText scrape(AgentMetrics metrics) {
        return new ScrapeText(metrics.scrape());
    }

    private static PgState primaryWithStandbys(long head) {
        return primaryState(head, List.of(connection("newyork-1", head, 200 * MIB, 12.5),
                connection("tokyo-1", head, 5 * MIB, 0.4)), List.of(slot("newyork_1", true, 200 * MIB)));
    }

    @Test
    void buildInfoNamesTheVersionAndCommitTheAgentRuns() {
        ScrapeText s = scrape(new AgentMetrics("geo", "paris-1", "paris", clock));

        BuildInfo build = BuildInfo.current();
        assertThat(build.version()).isNotEqualTo(BuildInfo.UNKNOWN);
        assertThat(s.value("meridian_build_info", "cluster", "geo", "member", "paris-1", "region", "paris",
                "version", build.version(), "commit", build.commit())).hasValue(1);
    }

    @Test
    void primaryExportsLagOfEachStandbyLabelledWithTheStandbysRegion() {
        AgentMetrics metrics = new AgentMetrics("geo", "paris-1", "paris", clock);
        metrics.update(threeRegions(), primaryWithStandbys(HEAD), 8.5);
        ScrapeText s = scrape(metrics);

        assertThat(s.value("meridian_replication_lag_bytes", "member", "newyork-1", "region", "newyork",
                "upstream", "paris-1", "upstream_region", "paris", "stage", "replay")).hasValue(200.0 * MIB);
        assertThat(s.value("meridian_replication_lag_seconds", "member", "tokyo-1", "region", "tokyo",
                "stage", "replay")).hasValue(0.4);
        assertThat(s.value("meridian_role", "member", "paris-1", "role", "primary")).hasValue(1);
        assertThat(s.value("meridian_role", "member", "paris-1", "role", "replica")).hasValue(0);
        assertThat(s.value("meridian_timeline", "cluster", "geo", "member", "paris-1", "region", "paris")).hasValue(3);
        assertThat(s.value("meridian_write_lsn_bytes")).hasValue((double) HEAD);
        assertThat(s.value("meridian_leader_lease_remaining_seconds")).hasValue(8.5);
        assertThat(s.value("meridian_slot_retained_wal_bytes", "slot", "newyork_1", "slot_type", "physical"))
                .hasValue(200.0 * MIB);
        assertThat(s.value("meridian_slot_active", "slot", "newyork_1")).hasValue(1);
        assertThat(s.value("meridian_received_lsn_bytes")).as("a primary has no receive position").isEmpty();
    }

    @Test
    void aScrapeLongAfterTheLastCycleReadsPostgresAgainAndKeepsTheClusterFromEtcd() {
        AgentMetrics metrics = new AgentMetrics("geo", "paris-1", "paris", clock);
        int[] reads = {0};
        java.util.function.Supplier<PgState> observe = () -> {
            reads[0]++;
            return primaryWithStandbys(HEAD + 8 * MIB);
        };
        assertThat(new ScrapeText(metrics.scrape(observe, 500)).value("meridian_write_lsn_bytes"))
                .as("nothing to refresh before the first cycle").isEmpty();
        metrics.update(threeRegions(), primaryWithStandbys(HEAD), 8);
        clock.advanceMillis(400);
        assertThat(new ScrapeText(metrics.scrape(observe, 500)).value("meridian_write_lsn_bytes")).hasValue((double) HEAD);
        assertThat(reads[0]).as("a fresh enough cycle is served as it is").isZero();

        clock.advanceMillis(1600);
        ScrapeText s = new ScrapeText(metrics.scrape(observe, 500));
        assertThat(reads[0]).isEqualTo(1);
        assertThat(s.value("meridian_write_lsn_bytes")).hasValue((double) HEAD + 8 * MIB);
        assertThat(s.value("meridian_wal_rate_bytes_per_second")).hasValue(4.0 * MIB);
        assertThat(s.value("meridian_leader_lease_remaining_seconds")).hasValue(6.0);
        assertThat(s.value("meridian_members_up")).hasValue(3);
    }

    @Test
    void walAndReplicationRatesComeFromTheDifferenceBetweenCycles() {
        AgentMetrics metrics = new AgentMetrics("geo", "paris-1", "paris", clock);
        metrics.update(threeRegions(), primaryWithStandbys(HEAD), 8);
        assertThat(scrape(metrics).value("meridian_wal_rate_bytes_per_second")).as("one sample is no rate").isEmpty();

        clock.advanceMillis(2000);
        metrics.update(threeRegions(), primaryWithStandbys(HEAD + 4 * MIB), 8);
        ScrapeText s = scrape(metrics);

        assertThat(s.value("meridian_wal_rate_bytes_per_second")).hasValue(2.0 * MIB);
        assertThat(s.value("meridian_wal_bytes_total")).hasValue((double) HEAD + 4 * MIB);
        assertThat(s.value("meridian_replication_rate_bytes_per_second", "member", "tokyo-1")).hasValue(2.0 * MIB);
        assertThat(s.value("meridian_replicated_wal_bytes_total", "member", "tokyo-1"))
                .hasValue((double) HEAD + 4 * MIB - 5 * MIB);
    }

    @Test
    void aStandbyThatDisconnectsAndASlotThatIsDroppedLeaveNoStaleSeries() {
        AgentMetrics metrics = new AgentMetrics("geo", "paris-1", "paris", clock);
        metrics.update(threeRegions(), primaryWithStandbys(HEAD), 8);
        metrics.update(threeRegions(), primaryState(HEAD, List.of(connection("tokyo-1", HEAD, 0, -1)), List.of()), 8);
        ScrapeText s = scrape(metrics);

        assertThat(s.value("meridian_replication_lag_bytes", "member", "newyork-1", "stage", "replay")).isEmpty();
        assertThat(s.value("meridian_slot_active", "slot", "newyork_1")).isEmpty();
        assertThat(s.value("meridian_replication_lag_seconds", "member", "tokyo-1", "stage", "replay"))
                .as("NULL replay_lag with nothing to replay is a lag of zero").hasValue(0);
    }

    @Test
    void replicaExportsItsOwnViewOfLag() {
        AgentMetrics metrics = new AgentMetrics("geo", "newyork-1", "newyork", clock);
        metrics.update(threeRegions(), replicaState(HEAD - 100 * MIB, HEAD - 200 * MIB, true, 12), -1);
        ScrapeText s = scrape(metrics);

        assertThat(s.value("meridian_role", "role", "replica")).hasValue(1);
        assertThat(s.value("meridian_replica_lag_bytes", "member", "newyork-1", "region", "newyork"))
                .hasValue(200.0 * MIB);
        assertThat(s.value("meridian_replica_replay_lag_seconds")).hasValue(12);
        assertThat(s.value("meridian_received_lsn_bytes")).hasValue((double) HEAD - 100 * MIB);
        assertThat(s.value("meridian_replayed_lsn_bytes")).hasValue((double) HEAD - 200 * MIB);
        assertThat(s.value("meridian_wal_receiver_streaming")).hasValue(1);
        assertThat(s.value("meridian_leader_lease_remaining_seconds")).as("negative means unknown").isEmpty();
        assertThat(s.value("meridian_wal_bytes_total")).as("only a primary writes WAL").isEmpty();
        assertThat(s.labelSets("meridian_replication_lag_bytes")).isEmpty();
    }

    @Test
    void aReplicaWhoseWalReceiverFailsSaysForHowLong() {
        AgentMetrics metrics = new AgentMetrics("geo", "newyork-1", "newyork", clock);
        metrics.update(threeRegions(), replicaState(HEAD - 50 * MIB, HEAD - 50 * MIB, true, 0), -1);
        assertThat(scrape(metrics).value("meridian_wal_receiver_failing_seconds")).hasValue(0);

        PgState failing = replicaState(HEAD - 50 * MIB, HEAD - 50 * MIB, false, 0).withWalReceiverError(
                new PgState.WalReceiverError("password authentication failed for user \"replicator\"", true, 40));
        metrics.update(threeRegions(), failing, -1);
        ScrapeText s = scrape(metrics);
        assertThat(s.value("meridian_wal_receiver_streaming")).hasValue(0);
        assertThat(s.value("meridian_wal_receiver_failing_seconds")).hasValue(40);

        metrics.update(threeRegions(), PgState.STOPPED, -1);
        assertThat(scrape(metrics).value("meridian_wal_receiver_failing_seconds")).as("no standby, no series").isEmpty();
    }

    @Test
    void clusterViewCountsMembersLeaderAndSyncSet() {
        Cluster base = threeRegions();
        Cluster quorum = ClusterFixtures.cluster("paris-1", List.of(base.members().get(0), base.members().get(1),
                        ClusterFixtures.replica("tokyo-1", "tokyo", 0, false, -1)),
                new SyncState("paris-1", List.of("newyork-1", "tokyo-1"), 1), List.of());
        AgentMetrics metrics = new AgentMetrics("geo", "paris-1", "paris", clock);
        metrics.update(quorum, primaryWithStandbys(HEAD), 8);
        ScrapeText s = scrape(metrics);

        assertThat(s.value("meridian_leader_present")).hasValue(1);
        assertThat(s.value("meridian_members_up")).hasValue(3);
        assertThat(s.value("meridian_members_streaming")).hasValue(1);
        assertThat(s.value("meridian_sync_quorum")).hasValue(1);
        assertThat(s.value("meridian_sync_standbys")).hasValue(2);
        assertThat(s.value("meridian_sync_standbys_streaming")).hasValue(1);
    }

    @Test
    void leaderChangesAreCountedIncludingLosingTheLeader() {
        AgentMetrics metrics = new AgentMetrics("geo", "tokyo-1", "tokyo", clock);
        Cluster paris = threeRegions();
        Cluster none = ClusterFixtures.cluster(null, paris.members(), SyncState.EMPTY, List.of());
        Cluster newyork = ClusterFixtures.cluster("newyork-1", paris.members(), SyncState.EMPTY, List.of());
        PgState replica = replicaState(HEAD, HEAD, true, 0);

        metrics.update(paris, replica, -1);
        metrics.update(paris, replica, -1);
        assertThat(scrape(metrics).value("meridian_leader_changes_total")).hasValue(0);
        metrics.update(none, replica, -1);
        assertThat(scrape(metrics).value("meridian_leader_present")).hasValue(0);
        metrics.update(newyork, replica, -1);
        assertThat(scrape(metrics).value("meridian_leader_changes_total")).hasValue(2);
    }

    @Test
    void cyclesFailoversAndSwitchoversAreRecorded() {
        AgentMetrics metrics = new AgentMetrics("geo", "paris-1", "paris", clock);
        assertThat(scrape(metrics).value("meridian_failovers_total")).as("counters start at zero").hasValue(0);

        metrics.recordCycle(0.02, true);
        metrics.recordCycle(1.5, false);
        metrics.recordFailover();
        metrics.recordSwitchover();
        metrics.recordSwitchover();
        ScrapeText s = scrape(metrics);

        assertThat(s.value("meridian_ha_cycles_total", "result", "ok")).hasValue(1);
        assertThat(s.value("meridian_ha_cycles_total", "result", "error")).hasValue(1);
        assertThat(s.value("meridian_ha_cycle_duration_seconds_count")).hasValue(2);
        assertThat(s.value("meridian_ha_cycle_duration_seconds_sum").orElseThrow()).isCloseTo(1.52, within(1e-9));
        assertThat(s.value("meridian_ha_cycle_duration_seconds_bucket", "le", "0.025")).hasValue(1);
        assertThat(s.value("meridian_ha_last_success_timestamp_seconds"))
                .hasValue(Instant.parse("2025-01-01T00:00:00Z").getEpochSecond());
        assertThat(s.value("meridian_failovers_total")).hasValue(1);
        assertThat(s.value("meridian_switchovers_total")).hasValue(2);
    }

    @Test
    void scrapeIsTheTextFormatWithHelpAndType() {
        AgentMetrics metrics = new AgentMetrics("geo", "paris-1", "paris", clock);
        metrics.update(threeRegions(), primaryWithStandbys(HEAD), 8);
        String text = metrics.scrape();

        assertThat(AgentMetrics.CONTENT_TYPE).startsWith("text/plain; version=0.0.4");
        assertThat(text).contains("# TYPE meridian_replication_lag_bytes gauge")
                .contains("# TYPE meridian_failovers_total counter")
                .contains("# HELP meridian_slot_retained_wal_bytes ");
    }
}
