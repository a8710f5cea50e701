package io.meridian.core.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.meridian.lab.process.EtcdServer;
import io.meridian.lab.wan.LinkRelay;
import io.meridian.testkit.EtcdExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An agent whose first etcd member is cut off from its peers (peer URLs advertised through relays)
 * while its clients still reach it: the member answers nothing useful, and the agent moves to
 * another within a few retry timeouts, keeping its lease. {@link EtcdMemberSwitchTest} black-holes
 * the member's client path instead.
 */
class EtcdPeerCutTest {

    private static final double RETRY = 2;

    @RegisterExtension
    static final EtcdExtension etcd = EtcdExtension.cluster(3).withPeerRelays();

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @Test
    void aMemberCutOffFromItsPeersIsLeftForAnother() throws Exception {
        List<EtcdServer> members = etcd.members();
        List<LinkRelay> peerLinks = List.of(etcd.peerLink(0), etcd.peerLink(1), etcd.peerLink(2));
        EtcdDcs dcs = open(EtcdDcs.connect(direct(members), "/m", "iso", "a", 10, RETRY));
        Client raw = open(Client.builder().endpoints(direct(members.subList(1, 3)).toArray(String[]::new)).build());
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> dcs.acquireLeader("a"));
        long lease = leaderLease(raw, dcs);
        // Each member streams to each peer over connections the peer dialed (two kinds per pair).
        await().atMost(Duration.ofSeconds(10)).until(() -> peerLinks.stream().allMatch(l -> l.openConnections() >= 4));

        // p1 hears nothing from and says nothing to its peers: cut all traffic into p1, and every
        // new request towards p2 and p3 (p1's fallback HTTP posts); the streams p2 and p3 already
        // hold with each other only carry bytes downstream, so they keep their quorum.
        peerLinks.get(0).cut(true, true);
        peerLinks.get(1).cut(true, false);
        peerLinks.get(2).cut(true, false);
        long cut = System.nanoTime();
        await().atMost(Duration.ofMillis(Math.round(5 * RETRY * 1000))).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> dcs.renewLeader("a"));
        System.out.printf("calls succeed again %d ms after the isolation%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut));
        assertThat(dcs.renewLeader("a")).isTrue();
        assertThat(leaderLease(raw, dcs)).isEqualTo(lease);
        assertThat(dcs.load().isLeader("a")).isTrue();
        try (Client alone = Client.builder().endpoints(members.get(0).clientUrl()).build()) {
            assertThatThrownBy(() -> alone.getKVClient().put(EtcdKeys.bytes("/m/iso/probe"), EtcdKeys.bytes("x"))
                    .get(3, TimeUnit.SECONDS)).as("p1 really is cut off: it cannot commit a write")
                    .isInstanceOfAny(TimeoutException.class, ExecutionException.class);
        }
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
