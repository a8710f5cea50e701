package io.meridian.core.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.ClusterStatus;
import io.meridian.core.cluster.LostTransactions;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.cluster.Role;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.cluster.SyncState;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.config.DynamicConfig;
import io.meridian.testkit.EtcdExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link EtcdDcs} against a real etcd 3.4 started for this class; each test uses its own cluster name. */
class EtcdDcsTest {

    private static final String NS = "/meridian-test";
    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    @RegisterExtension
    static final EtcdExtension etcd = new EtcdExtension();

    private final String cluster = "c" + CLUSTERS.incrementAndGet();
    private final List<EtcdDcs> opened = new ArrayList<>();

    @AfterEach
    void closeClients() {
        opened.forEach(EtcdDcs::close);
    }

    private EtcdDcs agent(String member, double ttl) {
        // A generous retry timeout: these tests are about outcomes, and CI machines are busy.
        EtcdDcs dcs = EtcdDcs.connect(etcd.endpoints(), NS, cluster, member, ttl, 5);
        opened.add(dcs);
        return dcs;
    }

    private static Member member(String name) {
        return new Member(name, "paris", Role.REPLICA, "running", 1, Lsn.ZERO, Lsn.parse("0/3000060"),
                Lsn.parse("0/3000060"), "streaming", 0.5, "127.0.0.1", 5432, "http://127.0.0.1:8008",
                MemberTags.DEFAULT, 1L);
    }

    @Test
    void exactlyOneOfTwoRacingAgentsGetsTheLeaderKey() throws Exception {
        EtcdDcs a = agent("a", 6);
        EtcdDcs b = agent("b", 6);
        CyclicBarrier start = new CyclicBarrier(2);
        CompletableFuture<Boolean> wonA = CompletableFuture.supplyAsync(() -> race(start, a, "a"));
        CompletableFuture<Boolean> wonB = CompletableFuture.supplyAsync(() -> race(start, b, "b"));

        assertThat(List.of(wonA.get(), wonB.get())).containsExactlyInAnyOrder(true, false);
        String winner = wonA.get() ? "a" : "b";
        Cluster c = a.load();
        assertThat(c.leader().name()).isEqualTo(winner);
        assertThat(c.leader().leaseId()).isNotZero();
    }

    private static boolean race(CyclicBarrier start, EtcdDcs dcs, String name) {
        try {
            start.await();
            return dcs.acquireLeader(name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void leaderRenewsAndOthersCannot() throws Exception {
        EtcdDcs a = agent("a", 6);
        EtcdDcs b = agent("b", 6);
        assertThat(a.acquireLeader("a")).isTrue();
        assertThat(b.acquireLeader("b")).isFalse();

        assertThat(a.renewLeader("a")).isTrue();
        assertThat(b.renewLeader("b")).isFalse();
        assertThat(a.leaseRemainingSeconds()).isGreaterThan(0.0).isLessThanOrEqualTo(6.0);
        assertThat(agent(null, 6).leaseRemainingSeconds()).isEqualTo(-1);
    }

    @Test
    void leaseExpiryRemovesLeaderAndMemberKeys() throws Exception {
        EtcdDcs a = agent("a", 2);
        a.touchMember(member("a"));
        assertThat(a.acquireLeader("a")).isTrue();
        assertThat(a.load().members()).extracting(Member::name).containsExactly("a");

        // No renewal from here: etcd must drop both keys once the 2 s lease runs out.
        EtcdDcs observer = agent(null, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Cluster c = observer.load();
            return !c.hasLeader() && c.members().isEmpty();
        });
        assertThat(a.renewLeader("a")).isFalse();
        assertThat(a.leaseRemainingSeconds()).isEqualTo(-1);
        // A fresh lease comes with the next write, and the leader key can be won again.
        assertThat(a.acquireLeader("a")).isTrue();
    }

    @Test
    void restartedAgentAdoptsALeaderKeyThatStillNamesIt() throws Exception {
        EtcdDcs before = agent("a", 6);
        assertThat(before.acquireLeader("a")).isTrue();
        long oldLease = before.load().leader().leaseId();

        EtcdDcs after = agent("a", 6);
        assertThat(after.renewLeader("a")).isTrue();
        assertThat(after.load().leader().leaseId()).isNotEqualTo(oldLease);
    }

    @Test
    void releaseDeletesOnlyOurOwnLeaderKey() throws Exception {
        EtcdDcs a = agent("a", 6);
        EtcdDcs b = agent("b", 6);
        assertThat(a.acquireLeader("a")).isTrue();

        assertThat(b.releaseLeader("b")).isFalse();
        assertThat(a.load().isLeader("a")).isTrue();
        assertThat(a.releaseLeader("a")).isTrue();
        assertThat(a.load().hasLeader()).isFalse();
        assertThat(b.acquireLeader("b")).isTrue();
    }

    @Test
    void configCompareAndSetRefusesAStaleVersion() throws Exception {
        EtcdDcs cli = agent(null, 6);
        DynamicConfig first = DynamicConfig.DEFAULTS;
        assertThat(cli.setConfig(first, 0)).isTrue();
        assertThat(cli.setConfig(first, 0)).as("create-only when version is 0").isFalse();

        long version = cli.load().configVersion();
        assertThat(version).isPositive();
        assertThat(cli.setConfig(first.withPaused(true), version)).isTrue();
        assertThat(cli.setConfig(first.withPaused(false), version)).as("stale version").isFalse();

        Cluster c = cli.load();
        assertThat(c.config().paused()).isTrue();
        assertThat(c.configVersion()).isGreaterThan(version);
    }

    @Test
    void switchoverIsCompareAndSetAndClearsOnlyAtItsVersion() throws Exception {
        EtcdDcs cli = agent(null, 6);
        SwitchoverRequest request = new SwitchoverRequest("a", "b", 0, 42);
        assertThat(cli.setSwitchover(request, 0)).isTrue();
        assertThat(cli.setSwitchover(new SwitchoverRequest("a", "c", 0, 43), 0)).isFalse();

        Cluster c = cli.load();
        assertThat(c.switchover()).isEqualTo(request);
        long version = c.switchoverVersion();
        cli.clearSwitchover(version - 1);
        assertThat(cli.load().switchover()).as("stale clear leaves it").isEqualTo(request);
        cli.clearSwitchover(version);
        assertThat(cli.load().switchover()).isNull();
        assertThat(cli.load().switchoverVersion()).isZero();
    }

    @Test
    void lostTransactionsAttachToTheirFailoverOnceAndSurviveLaterAppends() throws Exception {
        EtcdDcs a = agent("a", 6);
        TimelineEvent boot = new TimelineEvent(1, Lsn.ZERO, "bootstrap", 500, "a", null, "paris");
        TimelineEvent failover = new TimelineEvent(2, Lsn.parse("0/3000060"), "failover", 1000, "b", "a", "tokyo");
        a.appendHistory(boot);
        a.appendHistory(failover);
        LostTransactions lost = new LostTransactions("a", 1, 2, Lsn.parse("0/3000060"), Lsn.parse("0/3001000"), 3,
                740, 742, 900, 950, java.util.List.of("public.orders"), "/srv/lost/x-tl1-to-tl2", 1100);
        a.recordLostTransactions(lost);
        a.recordLostTransactions(lost); // a retry after a timeout: still one record
        TimelineEvent next = new TimelineEvent(3, Lsn.parse("0/5000000"), "switchover", 2000, "a", "b", "paris");
        a.appendHistory(next);

        assertThat(a.load().history()).containsExactly(boot, failover.withLost(lost), next);
        assertThat(a.load().history().get(1).lost()).containsExactly(lost);
        // A promotion the node never saw recorded cannot take the record: refused, not misfiled.
        LostTransactions orphan = new LostTransactions("c", 3, 4, Lsn.parse("0/5000000"), null, 1, 800, 800, 0, 0,
                null, "/srv/lost/y", 2100);
        assertThatThrownBy(() -> a.recordLostTransactions(orphan)).isInstanceOf(DcsException.class)
                .hasMessageContaining("no promotion after timeline 3");
    }

    @Test
    void historyAppendsInOrderAndIgnoresARepeat() throws Exception {
        EtcdDcs a = agent("a", 6);
        TimelineEvent one = new TimelineEvent(2, Lsn.parse("0/3000060"), "failover", 1000, "a", "b", "paris");
        TimelineEvent two = new TimelineEvent(3, Lsn.parse("0/5000000"), "switchover", 2000, "b", "a", "tokyo");
        a.appendHistory(one);
        a.appendHistory(two);
        a.appendHistory(two);

        Cluster c = a.load();
        assertThat(c.history()).containsExactly(one, two);
        assertThat(c.lastTimeline()).isEqualTo(3);

        // A promotion recorded late, after a later one landed, takes its place by timeline.
        TimelineEvent three = new TimelineEvent(5, Lsn.parse("0/7000000"), "failover", 4000, "a", "c", "paris");
        a.appendHistory(three);
        TimelineEvent late = new TimelineEvent(4, Lsn.parse("0/6000000"), "failover", 3000, "c", "b", "newyork");
        a.appendHistory(late);
        assertThat(a.load().history()).containsExactly(one, two, late, three);
        assertThat(a.load().lastTimeline()).isEqualTo(5);
    }

    @Test
    void loadReadsEveryKeyAtOneRevision() throws Exception {
        EtcdDcs a = agent("a", 6);
        EtcdDcs b = agent("b", 6);
        assertThat(a.claimInitialize()).isTrue();
        assertThat(b.claimInitialize()).isFalse();
        assertThat(a.load().systemId()).isEqualTo(Cluster.initializingBy("a"));
        assertThat(a.load().isInitialized()).isFalse();
        a.setSystemId("7301234567890123456");
        a.touchMember(member("a"));
        b.touchMember(member("b"));
        assertThat(a.acquireLeader("a")).isTrue();
        a.setConfig(DynamicConfig.DEFAULTS, 0);
        ClusterStatus status = new ClusterStatus(Lsn.parse("0/3000060"), 1, Map.of("b", Lsn.parse("0/3000000")));
        a.writeStatus(status);
        SyncState sync = new SyncState("a", List.of("b"), 1);
        assertThat(a.setSync(sync, 0)).isTrue();

        Cluster c = b.load();
        assertThat(c.name()).isEqualTo(cluster);
        assertThat(c.isInitialized()).isTrue();
        assertThat(c.leader().name()).isEqualTo("a");
        assertThat(c.members()).extracting(Member::name).containsExactly("a", "b");
        assertThat(c.member("b")).contains(member("b"));
        assertThat(c.status()).isEqualTo(status);
        assertThat(c.sync()).isEqualTo(sync);
        assertThat(c.syncVersion()).isPositive();
        // One revision: the last write is the newest thing in etcd and the record is at least that new.
        assertThat(c.revision()).isGreaterThanOrEqualTo(c.syncVersion())
                .isGreaterThanOrEqualTo(c.leader().revision()).isGreaterThanOrEqualTo(c.configVersion());
        assertThat(EtcdKeys.text(ClusterCodec.encode(status))).contains("\"leader_lsn\":\"0/3000060\"");
    }

    @Test
    void cancelledInitializeLetsAnotherNodeClaim() throws Exception {
        EtcdDcs a = agent("a", 6);
        EtcdDcs b = agent("b", 6);
        assertThat(a.claimInitialize()).isTrue();
        a.cancelInitialize();
        assertThat(b.claimInitialize()).isTrue();
    }

    @Test
    void awaitChangeWakesOnALeaderChangeAndTimesOutWithout() throws Exception {
        EtcdDcs replica = agent("b", 6);
        EtcdDcs leader = agent("a", 6);
        long revision = replica.load().revision();
        assertThat(replica.awaitChange(revision, Duration.ofMillis(300))).isFalse();

        CompletableFuture<Boolean> woke = CompletableFuture.supplyAsync(() -> {
            try {
                return replica.awaitChange(revision, Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        assertThat(leader.acquireLeader("a")).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(woke::isDone);
        assertThat(woke.get()).isTrue();
        // Asked again about the same old revision, the answer is immediate.
        assertThat(replica.awaitChange(revision, Duration.ofMillis(1))).isTrue();
    }

    @Test
    void watchDeliversTheCurrentClusterThenEachChange() throws Exception {
        EtcdDcs router = agent(null, 6);
        EtcdDcs a = agent("a", 6);
        List<Cluster> seen = new CopyOnWriteArrayList<>();
        AutoCloseable subscription = router.watch(seen::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
        assertThat(seen.get(0).hasLeader()).isFalse();
        assertThat(a.acquireLeader("a")).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.get(seen.size() - 1).isLeader("a"));
        assertThat(seen).extracting(Cluster::revision).isSorted().doesNotHaveDuplicates();

        subscription.close();
        int delivered = seen.size();
        assertThat(a.releaseLeader("a")).isTrue();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> seen.size() == delivered);
    }

    @Test
    void readOnlyClientHoldsNoLease() {
        EtcdDcs cli = agent(null, 6);
        assertThatThrownBy(() -> cli.acquireLeader("a")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cli.touchMember(member("a"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unreachableEtcdFailsWithinTheRetryTimeout() {
        EtcdDcs lost = EtcdDcs.connect(List.of("http://127.0.0.1:1"), NS, cluster, "a", 6, 0.5);
        opened.add(lost);
        long started = System.nanoTime();
        assertThatThrownBy(lost::load).isInstanceOf(DcsException.class).hasMessageContaining("127.0.0.1:1");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void deleteClusterRemovesEveryKey() throws Exception {
        EtcdDcs a = agent("a", 6);
        a.touchMember(member("a"));
        a.acquireLeader("a");
        a.setConfig(DynamicConfig.DEFAULTS, 0);
        a.deleteCluster();
        Cluster c = a.load();
        assertThat(c.hasLeader()).isFalse();
        assertThat(c.members()).isEmpty();
        assertThat(c.configVersion()).isZero();
    }
}
