package io.meridian.core.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.core.cluster.Cluster;
import io.meridian.lab.process.EtcdServer;
import io.meridian.testkit.EtcdExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Watches and waits outlive an etcd restart: the router and replicas must not go deaf after one. */
class EtcdDcsRestartTest {

    @RegisterExtension
    static final EtcdExtension etcdRun = new EtcdExtension();

    @Test
    void watchAndAwaitChangeSurviveAnEtcdRestart() throws Exception {
        EtcdServer etcd = etcdRun.member(0);
        List<String> endpoints = etcdRun.endpoints();
        try (EtcdDcs router = EtcdDcs.connect(endpoints, "/m", "r", null, 6, 5);
                EtcdDcs a = EtcdDcs.connect(endpoints, "/m", "r", "a", 6, 5);
                EtcdDcs b = EtcdDcs.connect(endpoints, "/m", "r", "b", 6, 5)) {
            List<Cluster> seen = new CopyOnWriteArrayList<>();
            AutoCloseable subscription = router.watch(seen::add);
            await().atMost(Duration.ofSeconds(20)).until(() -> !seen.isEmpty());
            long before = b.load().revision();
            assertThat(b.awaitChange(before, Duration.ofMillis(200))).isFalse();

            etcd.kill();
            etcd.start();

            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> a.acquireLeader("a"));
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.get(seen.size() - 1).isLeader("a"));
            assertThat(b.awaitChange(before, Duration.ofSeconds(10))).isTrue();
            subscription.close();
        }
    }
}
