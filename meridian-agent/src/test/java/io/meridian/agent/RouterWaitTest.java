package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.testkit.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RouterWait} against a real etcd: router reports written by hand as a router would, a
 * leader key taken through {@link EtcdDcs}. A 2 s lease shows the wait keeps it alive.
 */
class RouterWaitTest {

    private static final String NS = "/meridian";
    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    @RegisterExtension
    static final EtcdExtension etcd = new EtcdExtension();

    private final String cluster = "w" + CLUSTERS.incrementAndGet();
    private final List<EtcdDcs> opened = new ArrayList<>();
    private EtcdDcs dcs;

    @AfterEach
    void close() {
        opened.forEach(EtcdDcs::close);
    }

    /** Node n1 of a fresh cluster with a 2 s lease and the given router_wait_timeout, holding the leader key. */
    private Cluster leaderWith(double routerWaitTimeout) throws Exception {
        put("config", "{\"ttl\": 2, \"loop_wait\": 0.5, \"retry_timeout\": 0.5, \"router_wait_timeout\": "
                + routerWaitTimeout + "}");
        dcs = EtcdDcs.connect(etcd.endpoints(), NS, cluster, "n1", 2, 5);
        opened.add(dcs);
        assertThat(dcs.acquireLeader("n1")).isTrue();
        return dcs.load();
    }

    private long put(String relative, String value) throws Exception {
        return etcd.client().getKVClient().put(bytes(NS + "/" + cluster + "/" + relative), bytes(value))
                .get(10, TimeUnit.SECONDS).getHeader().getRevision();
    }

    private void router(String name, long revision, String leader) throws Exception {
        put("routers/" + name, "{\"router\":\"" + name + "\",\"region\":\"paris\",\"revision\":" + revision
                + ",\"leader\":" + (leader == null ? "null" : "\"" + leader + "\"") + ",\"updated_at\":\"2026-11-25T23:00:00Z\"}");
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private RouterWait.LeaseRenewal renewals(AtomicInteger count) {
        return () -> {
            count.incrementAndGet();
            return dcs.renewLeader("n1");
        };
    }

    @Test
    void aRouterAtAnOldRevisionHoldsThePromotionUntilTheTimeoutWhileTheLeaseStaysRenewed() throws Exception {
        Cluster c = leaderWith(5);
        long leaderRevision = c.leader().revision();
        router("r1", leaderRevision - 1, "n0");
        router("r2", leaderRevision + 1, "n1");
        AtomicInteger renewed = new AtomicInteger();
        long started = System.nanoTime();
        RouterWait.Outcome o = new RouterWait(dcs, "n1").beforePromotion(c, renewals(renewed));
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(o.verdict()).isEqualTo(RouterWait.Verdict.PROMOTE);
        assertThat(o.sentence()).isEqualTo("router r1 still at revision " + (leaderRevision - 1) + " following n0 after the 5 s "
                + "router_wait_timeout (leader key at revision " + leaderRevision + "); promoting anyway");
        assertThat(waitedMillis).isGreaterThanOrEqualTo(5000);
        // 5 s on a 2 s lease: only the renewals during the wait kept the key.
        assertThat(renewed.get()).isGreaterThanOrEqualTo(4);
        assertThat(dcs.load().isLeader("n1")).as("leader key kept through the wait").isTrue();
    }

    @Test
    void theWaitEndsAsSoonAsTheLastRouterFollowsTheNewLeader() throws Exception {
        Cluster c = leaderWith(30);
        long leaderRevision = c.leader().revision();
        router("r1", leaderRevision - 1, "n0");
        router("r2", leaderRevision - 1, null);
        CompletableFuture<RouterWait.Outcome> wait = CompletableFuture.supplyAsync(() -> {
            try {
                return new RouterWait(dcs, "n1").beforePromotion(c, renewals(new AtomicInteger()));
            } catch (DcsException e) {
                throw new IllegalStateException(e);
            }
        });
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !wait.isDone());
        router("r1", leaderRevision + 3, "n1");
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !wait.isDone());
        long advanced = System.nanoTime();
        router("r2", leaderRevision + 4, "n1");
        RouterWait.Outcome o = wait.get(10, TimeUnit.SECONDS);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - advanced);

        assertThat(o.verdict()).isEqualTo(RouterWait.Verdict.PROMOTE);
        assertThat(o.sentence()).matches("routers r1, r2 follow me as of revision " + leaderRevision + " after \\d+ ms");
        // Far under the 30 s timeout: the wait ended because r2 caught up (poll period 25 ms).
        assertThat(tookMillis).isLessThan(3000);
    }

    @Test
    void losingTheLeaderKeyWhileWaitingCancelsThePromotion() throws Exception {
        Cluster c = leaderWith(30);
        router("r1", c.leader().revision() - 1, "n0");
        CompletableFuture<RouterWait.Outcome> wait = CompletableFuture.supplyAsync(() -> {
            try {
                return new RouterWait(dcs, "n1").beforePromotion(c, renewals(new AtomicInteger()));
            } catch (DcsException e) {
                throw new IllegalStateException(e);
            }
        });
        etcd.client().getKVClient().delete(bytes(NS + "/" + cluster + "/leader")).get(10, TimeUnit.SECONDS);
        RouterWait.Outcome o = wait.get(10, TimeUnit.SECONDS);
        assertThat(o.verdict()).isEqualTo(RouterWait.Verdict.LOST_KEY);
        assertThat(o.sentence()).isEqualTo("lost the leader key while waiting for routers r1; not promoting");
    }

    @Test
    void offOrNoRoutersMeansNoWait() throws Exception {
        Cluster c = leaderWith(0);
        router("r1", c.leader().revision() - 1, "n0");
        RouterWait.Outcome off = new RouterWait(dcs, "n1").beforePromotion(c, () -> false);
        assertThat(off).isEqualTo(new RouterWait.Outcome(RouterWait.Verdict.PROMOTE, null));

        put("config", "{\"ttl\": 2, \"loop_wait\": 0.5, \"retry_timeout\": 0.5, \"router_wait_timeout\": 30}");
        etcd.client().getKVClient().delete(bytes(NS + "/" + cluster + "/routers/r1")).get(10, TimeUnit.SECONDS);
        RouterWait.Outcome none = new RouterWait(dcs, "n1").beforePromotion(dcs.load(), () -> false);
        assertThat(none).isEqualTo(new RouterWait.Outcome(RouterWait.Verdict.PROMOTE,
                "no router reports under routers/ to wait for"));
    }

    @Test
    void aKeyTakenAfterTheCycleReadIsLookedUpAgain() throws Exception {
        Cluster before = leaderWith(30);
        Cluster unaware = new Cluster(before.name(), before.revision() - 1, before.systemId(), before.config(),
                before.configVersion(), null, before.members(), before.status(), null, 0, before.sync(), 0, before.history());
        router("r1", before.leader().revision(), "n1");
        RouterWait.Outcome o = new RouterWait(dcs, "n1").beforePromotion(unaware, () -> false);
        assertThat(o.sentence()).startsWith("router r1 follows me as of revision " + before.leader().revision());
    }
}
