package io.meridian.core.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.core.cluster.Cluster;
import io.meridian.lab.process.EtcdServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Watches and waits outlive an etcd restart: the router and replicas must not go deaf after one. */
class EtcdDcsRestartTest {

    @TempDir
    Path dir;

    @Test
    void watchAndAwaitChangeSurviveAnEtcdRestart() throws Exception {
        EtcdServer etcd = EtcdServer.single("restart", dir.resolve("etcd")).killOnJvmExit();
        etcd.start();
        List<String> endpoints = List.of(etcd.clientUrl());
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
        } finally {
            etcd.stop();
        }
    }
}
