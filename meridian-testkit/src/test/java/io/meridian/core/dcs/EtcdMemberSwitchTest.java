package io.meridian.core.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.config.DynamicConfig;
import io.meridian.lab.process.EtcdServer;
import io.meridian.lab.wan.LinkRelay;
import io.meridian.testkit.EtcdExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An agent whose first etcd member stops being useful while the others are fine: it moves to the
 * next member within a few retry timeouts, keeps its lease (so its leader key), and its watches
 * follow. Here the first member's TCP path is black-holed through a {@link LinkRelay};
 * {@link EtcdPeerCutTest} cuts a member off from its peers instead.
 */
class EtcdMemberSwitchTest {

    private static final double RETRY = 2;

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.cluster(3);

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @Test
    void aBlackHoledMemberIsLeftForTheNextWithTheSameLeaseAndWatches() throws Exception {
        List<EtcdServer> members = etcd.members();
        List<String> relayed = new ArrayList<>();
        LinkRelay first = null;
        for (EtcdServer m : members) {
            LinkRelay relay = open(LinkRelay.start(0, "127.0.0.1", m.clientPort()));
            first = first == null ? relay : first;
            relayed.add("http://127.0.0.1:" + relay.port());
        }
        EtcdDcs dcs = open(EtcdDcs.connect(relayed, "/m", "sw", "a", 8, RETRY));
        Client raw = open(Client.builder().endpoints(direct(members).toArray(String[]::new)).build());
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> dcs.acquireLeader("a"));
        long lease = leaderLease(raw, dcs);
        List<Cluster> seen = new CopyOnWriteArrayList<>();
        open(dcs.watch(seen::add));
        long before = dcs.load().revision();
        assertThat(dcs.awaitChange(before, Duration.ofMillis(50))).as("watch now open on the first member").isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());

        first.cut(true, true);
        long cut = System.nanoTime();
        await().atMost(Duration.ofMillis(Math.round(3 * RETRY * 1000))).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> dcs.renewLeader("a"));
        System.out.printf("calls succeed again %d ms after the cut%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut));

        assertThat(dcs.renewLeader("a")).isTrue();
        assertThat(leaderLease(raw, dcs)).as("the leader key still hangs on the lease granted before").isEqualTo(lease);
        long after = dcs.load().revision();
        assertThat(dcs.awaitChange(after, Duration.ofMillis(300))).as("nothing changed yet").isFalse();
        try (EtcdDcs cli = EtcdDcs.connect(direct(members), "/m", "sw", null, 8, 10)) {
            assertThat(cli.setConfig(DynamicConfig.DEFAULTS.withPaused(true), 0)).isTrue();
        }
        assertThat(dcs.awaitChange(after, Duration.ofSeconds(5))).as("the change signal moved to the new member").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.get(seen.size() - 1).revision() > after);
        assertThat(first.isCut(true)).isTrue();

        // The first member answers again: within one homeward period the agent is back on it,
        // with the same lease, and its watches follow.
        long home = Long.parseUnsignedLong(dcs.etcdMember(), 16);
        assertThat(dcs.etcdView().servingId()).as("away from the first member").isNotEqualTo(home);
        first.heal();
        long healed = System.nanoTime();
        Duration period = EtcdEndpoints.homewardPeriod(Duration.ofMillis(Math.round(RETRY * 1000)));
        // The agent keeps renewing meanwhile, as its HA loop would: a switch must never lose the key.
        java.util.concurrent.atomic.AtomicBoolean lost = new java.util.concurrent.atomic.AtomicBoolean();
        await().atMost(period.plusSeconds(10)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> {
                    if (!dcs.renewLeader("a")) {
                        lost.set(true);
                    }
                    return dcs.etcdView().servingId() == home;
                });
        System.out.printf("back on the first member %d ms after the heal%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healed));
        assertThat(lost).as("the leader key was never lost").isFalse();
        assertThat(dcs.renewLeader("a")).isTrue();
        assertThat(leaderLease(raw, dcs)).isEqualTo(lease);
        long back = dcs.load().revision();
        try (EtcdDcs cli = EtcdDcs.connect(direct(members), "/m", "sw", null, 8, 10)) {
            var cfg = cli.load();
            assertThat(cli.setConfig(DynamicConfig.DEFAULTS, cfg.configVersion())).isTrue();
        }
        assertThat(dcs.awaitChange(back, Duration.ofSeconds(5))).as("the change signal moved back too").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.get(seen.size() - 1).revision() > back);
    }

    private <T extends AutoCloseable> T open(T resource) {
        opened.add(resource);
        return resource;
    }

    private static List<String> direct(List<EtcdServer> servers) {
        return servers.stream().map(EtcdServer::clientUrl).toList();
    }

    private static long leaderLease(Client raw, EtcdDcs dcs) throws Exception {
        List<KeyValue> kvs = raw.getKVClient().get(EtcdKeys.bytes(dcs.keyPrefix() + EtcdKeys.LEADER))
                .get(10, TimeUnit.SECONDS).getKvs();
        assertThat(kvs).as("leader key").hasSize(1);
        return kvs.get(0).getLease();
    }
}
