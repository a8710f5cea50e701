package io.meridian.core.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.cluster.Role;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.lab.wan.LinkRelay;
import io.meridian.testkit.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A live {@code ttl} change in {@code /config} reaches the leader key's lease as etcd itself reports
 * it, at the next renewal: the key moves to a lease of the new TTL, is never deleted on the way,
 * and the old lease is revoked. A move that cannot happen leaves the key on the old lease.
 */
class LeaseTtlChangeTest {

    private static final String NS = "/meridian-ttl";

    @RegisterExtension
    static final EtcdExtension etcd = new EtcdExtension();

    @Test
    void aTtlChangeMovesTheLeaderKeyToALeaseOfTheNewTtlWithoutEverDeletingIt() throws Exception {
        String cluster = "move";
        ByteSequence leaderKey = bytes(NS + "/" + cluster + "/leader");
        ByteSequence memberKey = bytes(NS + "/" + cluster + "/members/a");
        List<WatchEvent> deletes = new CopyOnWriteArrayList<>();
        try (EtcdDcs a = EtcdDcs.connect(etcd.endpoints(), NS, cluster, "a", 6, 2);
                var watch = etcd.client().getWatchClient().watch(bytes(NS + "/" + cluster + "/"),
                        WatchOption.builder().isPrefix(true).build(), r -> r.getEvents().stream()
                                .filter(e -> e.getEventType() == WatchEvent.EventType.DELETE).forEach(deletes::add))) {
            assertThat(a.setConfig(DynamicConfigParser.parse("test", "ttl: 6"), 0)).isTrue();
            a.load();
            assertThat(a.acquireLeader("a")).isTrue();
            a.touchMember(member("a"));
            KeyValue before = get(leaderKey);
            assertThat(grantedTtl(before.getLease())).isEqualTo(6);

            long version = a.load().configVersion();
            assertThat(a.setConfig(DynamicConfigParser.parse("test", "ttl: 30\nloop_wait: 5\nretry_timeout: 10"), version)).isTrue();
            a.load(); // the HA loop reads /config, then renews
            assertThat(a.renewLeader("a")).isTrue();

            KeyValue after = get(leaderKey);
            assertThat(after.getValue().toString(StandardCharsets.UTF_8)).isEqualTo("a");
            assertThat(after.getLease()).isNotEqualTo(before.getLease());
            assertThat(grantedTtl(after.getLease())).isEqualTo(30);
            assertThat(timeToLive(after.getLease())).isGreaterThan(25);
            assertThat(get(memberKey).getLease()).isEqualTo(after.getLease());
            assertThat(timeToLive(before.getLease())).isEqualTo(-1); // revoked, not left to lapse
            assertThat(a.leaseTtlSeconds()).isEqualTo(30);
            assertThat(a.leaseRemainingSeconds()).isGreaterThan(25);

            // Later renewals stay on the new lease. A lower ttl read from /config does not shorten
            // the lease before the HA loop (which fences with the ttl its cycle read) sets it after
            // the cycle; then it moves back the same way.
            assertThat(a.setConfig(DynamicConfigParser.parse("test", "ttl: 6"), a.load().configVersion())).isTrue();
            a.load();
            assertThat(a.renewLeader("a")).isTrue();
            assertThat(get(leaderKey).getLease()).isEqualTo(after.getLease());
            a.setTtl(6);
            a.touchMember(member("a"));
            assertThat(grantedTtl(get(leaderKey).getLease())).isEqualTo(6);
            assertThat(get(memberKey).getLease()).isEqualTo(get(leaderKey).getLease());
            assertThat(a.renewLeader("a")).isTrue();

            // Nothing was deleted at any point: the watch saw every revision of the prefix.
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(deletes::isEmpty);
        }
    }

    @Test
    void aMoveThatCannotReachEtcdFailsTheRenewalAndLeavesTheKeyOnTheOldLease() throws Exception {
        String cluster = "cut";
        ByteSequence leaderKey = bytes(NS + "/" + cluster + "/leader");
        try (LinkRelay link = LinkRelay.start(0, "127.0.0.1", etcd.member(0).clientPort());
                EtcdDcs a = EtcdDcs.connect(List.of("http://127.0.0.1:" + link.port()), NS, cluster, "a", 15, 1)) {
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> a.acquireLeader("a"));
            long old = get(leaderKey).getLease();

            a.setTtl(30);
            link.cut(true, true);
            // The renewal fails rather than succeed on the 6 s lease while the configuration says 30 s.
            assertThatThrownBy(() -> a.renewLeader("a")).isInstanceOf(DcsException.class);
            link.heal();
            assertThat(get(leaderKey).getLease()).isEqualTo(old);
            assertThat(grantedTtl(old)).isEqualTo(15);
            assertThat(a.leaseTtlSeconds()).isEqualTo(15);

            // A later cycle moves it (the old lease has 15 s: time for the client to reconnect).
            await().atMost(Duration.ofSeconds(12)).ignoreExceptions().until(() -> a.renewLeader("a"));
            assertThat(grantedTtl(get(leaderKey).getLease())).isEqualTo(30);
            assertThat(timeToLive(old)).isEqualTo(-1);
        }
    }

    private static KeyValue get(ByteSequence key) throws Exception {
        List<KeyValue> kvs = etcd.client().getKVClient().get(key).get(5, TimeUnit.SECONDS).getKvs();
        assertThat(kvs).as("key %s", key).hasSize(1);
        return kvs.get(0);
    }

    private static long grantedTtl(long lease) throws Exception {
        return etcd.client().getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS).getGrantedTTL();
    }

    /** Seconds left as etcd counts them; -1 once the lease is gone. */
    private static long timeToLive(long lease) throws Exception {
        return etcd.client().getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS).getTTL();
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static Member member(String name) {
        return new Member(name, "paris", Role.REPLICA, "running", 1, Lsn.ZERO, Lsn.parse("0/3000060"),
                Lsn.parse("0/3000060"), "streaming", 0.5, "127.0.0.1", 5432, "http://127.0.0.1:8008",
                MemberTags.DEFAULT, 1L);
    }
}
