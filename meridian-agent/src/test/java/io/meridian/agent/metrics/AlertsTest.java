package io.meridian.agent.metrics;

import static io.meridian.agent.metrics.ClusterFixtures.MIB;
import static io.meridian.agent.metrics.ClusterFixtures.cluster;
import static io.meridian.agent.metrics.ClusterFixtures.connection;
import static io.meridian.agent.metrics.ClusterFixtures.primary;
import static io.meridian.agent.metrics.ClusterFixtures.primaryState;
import static io.meridian.agent.metrics.ClusterFixtures.replica;
import static io.meridian.agent.metrics.ClusterFixtures.slot;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.SyncState;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.postgres.PgState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Numbered cases: the cluster as etcd holds it, what the local PostgreSQL shows, and the alerts expected. */
class AlertsTest {

    private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
    private static final long HEAD = 100 * 1024 * MIB;
    private static final Member PARIS = primary("paris-1", "paris", HEAD);
    private static final PgState NOT_PRIMARY = PgState.STOPPED;

    private static Member ny(long behind, double seconds) {
        return replica("newyork-1", "newyork", HEAD - behind, true, seconds);
    }

    private static Member tokyo(long behind, double seconds) {
        return replica("tokyo-1", "tokyo", HEAD - behind, true, seconds);
    }

    private static Cluster led(Member... members) {
        return cluster("paris-1", List.of(members), SyncState.EMPTY, List.of());
    }

    private static TimelineEvent promotion(String reason, Duration ago, String to) {
        return new TimelineEvent(4, Lsn.ZERO, reason, NOW.minus(ago).toEpochMilli(), to, "paris-1", "newyork");
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("1 healthy three-region cluster", led(PARIS, ny(MIB, 0.3), tokyo(2 * MIB, 0.8)),
                        NOT_PRIMARY, List.of()),
                Arguments.of("2 no leader", cluster(null, List.of(ny(0, 0), tokyo(0, 0)), SyncState.EMPTY, List.of()),
                        NOT_PRIMARY, List.of("MeridianNoLeader critical -")),
                Arguments.of("3 lag over 100 MiB is a warning, exactly 100 MiB is not",
                        led(PARIS, ny(101 * MIB, 1), tokyo(100 * MIB, 1)), NOT_PRIMARY,
                        List.of("MeridianReplicationLagBytes warning newyork-1")),
                Arguments.of("4 lag over 1 GiB is critical", led(PARIS, ny(1025 * MIB, 1), tokyo(0, 0)), NOT_PRIMARY,
                        List.of("MeridianReplicationLagBytes critical newyork-1")),
                Arguments.of("5 replay lag over 10 s warns, over 60 s is critical",
                        led(PARIS, ny(0, 10.5), tokyo(0, 61)), NOT_PRIMARY,
                        List.of("MeridianReplicationLagSeconds critical tokyo-1",
                                "MeridianReplicationLagSeconds warning newyork-1")),
                Arguments.of("6 the primary's pg_stat_replication is fresher than the member record",
                        led(PARIS, ny(0, 0), tokyo(0, 0)),
                        primaryState(HEAD, List.of(connection("newyork-1", HEAD, 300 * MIB, 70),
                                connection("tokyo-1", HEAD, 0, -1)), List.of()),
                        List.of("MeridianReplicationLagSeconds critical newyork-1",
                                "MeridianReplicationLagBytes warning newyork-1")),
                Arguments.of("7 a replica that is not streaming",
                        led(PARIS, replica("newyork-1", "newyork", HEAD, false, -1), tokyo(0, 0)), NOT_PRIMARY,
                        List.of("MeridianMemberNotStreaming warning newyork-1")),
                Arguments.of("8 slot retaining over 10 GiB",
                        led(PARIS, ny(0, 0), tokyo(0, 0)),
                        primaryState(HEAD, List.of(connection("newyork-1", HEAD, 0, 0), connection("tokyo-1", HEAD, 0, 0)),
                                List.of(slot("tokyo_1", true, 10 * 1024 * MIB + 1), slot("newyork_1", true, 10 * 1024 * MIB))),
                        List.of("MeridianSlotRetainedWal warning -")),
                Arguments.of("9 quorum ANY 1 of two with one down: a sync standby is missing",
                        cluster("paris-1", List.of(PARIS, ny(0, 0), replica("tokyo-1", "tokyo", 0, false, -1)),
                                new SyncState("paris-1", List.of("newyork-1", "tokyo-1"), 1), List.of()),
                        NOT_PRIMARY, List.of("MeridianMemberNotStreaming warning tokyo-1",
                                "MeridianSyncStandbyMissing warning tokyo-1")),
                Arguments.of("10 quorum ANY 1 with both down: commits wait",
                        cluster("paris-1", List.of(PARIS), new SyncState("paris-1", List.of("newyork-1", "tokyo-1"), 1),
                                List.of()), NOT_PRIMARY, List.of("MeridianSyncQuorumLost critical -")),
                Arguments.of("11 two failovers in 15 minutes is flapping; bootstrap does not count",
                        cluster("newyork-1", List.of(primary("newyork-1", "newyork", HEAD)), SyncState.EMPTY,
                                List.of(promotion("bootstrap", Duration.ofMinutes(14), "paris-1"),
                                        promotion("failover", Duration.ofMinutes(10), "tokyo-1"),
                                        promotion("failover", Duration.ofMinutes(1), "newyork-1"))),
                        NOT_PRIMARY, List.of("MeridianLeaderFlapping warning -")),
                Arguments.of("12 one failover and an old one are not flapping",
                        cluster("newyork-1", List.of(primary("newyork-1", "newyork", HEAD)), SyncState.EMPTY,
                                List.of(promotion("failover", Duration.ofMinutes(16), "tokyo-1"),
                                        promotion("switchover", Duration.ofMinutes(1), "newyork-1"))),
                        NOT_PRIMARY, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void evaluatesTheSeedThresholds(String name, Cluster cluster, PgState local, List<String> expected) {
        Alerts alerts = new Alerts(new ClusterFixtures.ManualClock(NOW));
        List<String> fired = alerts.evaluate(cluster, local).stream()
                .map(a -> a.name() + " " + a.severity() + " " + (a.member() == null ? "-" : a.member())).toList();
        assertThat(fired).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everySummaryNamesWhatItIsAbout(String name, Cluster cluster, PgState local, List<String> expected) {
        for (Alert a : new Alerts(new ClusterFixtures.ManualClock(NOW)).evaluate(cluster, local)) {
            assertThat(a.summary()).isNotBlank();
            if (a.member() != null) {
                assertThat(a.summary()).contains(a.member());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void slotGuardWarningsBecomeSlotInactiveAlerts() {
        SlotGuard.Warning w = new SlotGuard.Warning("tokyo_1", true, Duration.ofMinutes(45), 3 * MIB, "reserved");
        List<Alert> fired = new Alerts(new ClusterFixtures.ManualClock(NOW)).evaluate(led(PARIS), NOT_PRIMARY, List.of(w));
        assertThat(fired).containsExactly(new Alert("MeridianSlotInactive", Alert.WARNING, null,
                "replication slot tokyo_1 inactive for 45 min, retaining 3.0 MB of WAL (wal_status reserved)"));
    }

    @org.junit.jupiter.api.Test
    void withoutThePrimarySlotsAreMeasuredFromThePublishedStatus() {
        Cluster c = new Cluster("geo", 1, "1", null, 0, new io.meridian.core.cluster.Leader("paris-1", 1, 1),
                List.of(PARIS), new io.meridian.core.cluster.ClusterStatus(new Lsn(HEAD), 3,
                java.util.Map.of("tokyo_1", new Lsn(HEAD - 11 * 1024 * MIB))), null, 0, null, 0, null);
        assertThat(new Alerts(new ClusterFixtures.ManualClock(NOW)).evaluate(c, NOT_PRIMARY))
                .extracting(Alert::name).containsExactly("MeridianSlotRetainedWal");
    }
}
