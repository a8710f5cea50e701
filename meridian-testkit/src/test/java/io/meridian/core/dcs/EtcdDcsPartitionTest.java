package io.meridian.core.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meridian.lab.wan.LinkRelay;
import io.meridian.testkit.EtcdExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An agent whose only path to etcd goes through a {@link LinkRelay}: a partition makes its calls
 * fail within the retry timeout (never hang), its lease runs out, the rest of the cluster sees the
 * leader key vanish, and after the heal the same client works again.
 */
class EtcdDcsPartitionTest {

    @RegisterExtension
    static final EtcdExtension etcd = new EtcdExtension();

    @Test
    void partitionedLeaderFailsFastLosesTheKeyAndRecoversAfterHeal() throws Exception {
        try (LinkRelay link = LinkRelay.start(0, "127.0.0.1", etcd.member(0).clientPort());
                EtcdDcs leader = EtcdDcs.connect(List.of("http://127.0.0.1:" + link.port()), "/m", "p", "a", 2, 1);
                EtcdDcs other = EtcdDcs.connect(etcd.endpoints(), "/m", "p", "b", 2, 5)) {
            link.setDelay(Duration.ofMillis(20));
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> leader.acquireLeader("a"));

            link.cut(true, true);
            long started = System.nanoTime();
            assertThatThrownBy(() -> leader.renewLeader("a")).isInstanceOf(DcsException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
            await().atMost(Duration.ofSeconds(10)).until(() -> !other.load().hasLeader());
            assertThat(other.acquireLeader("b")).isTrue();

            link.heal();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> leader.load() != null);
            assertThat(leader.renewLeader("a")).isFalse();
            assertThat(leader.load().isLeader("b")).isTrue();
        }
    }
}
