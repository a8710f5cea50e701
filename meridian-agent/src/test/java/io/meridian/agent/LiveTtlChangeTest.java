package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.LeaseOption;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.config.DynamicConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's live ttl change: the cluster runs at the defaults (the agents' leases granted with a
 * 6 s TTL), an operator raises {@code ttl} through {@code PATCH /config}, then the leader is cut
 * off from etcd while a client connected straight to its PostgreSQL keeps writing. Before the fix
 * the leader key kept its 6 s lease while the fence waited the new ttl, and the old primary kept
 * acknowledging commits for seconds after a replica was promoted.
 */
class LiveTtlChangeTest {

    private static final List<String> REGIONS = List.of("paris", "newyork", "tokyo");
    private static final Duration BOOT = Duration.ofSeconds(90);
    private static final int TTL = 20;
    @AutoClose
    private TestCluster cluster;

    @Test
    void aLiveTtlChangeThenACutFromEtcdGivesNoWriteAcknowledgedByTheOldPrimaryAfterThePromotion() throws Exception {
        cluster = TestCluster.booted(REGIONS, DynamicConfig.DEFAULTS, false, BOOT);
        String old = cluster.cluster().leader().name();
        assertThat(patch(old, "{\"ttl\": " + TTL + ", \"loop_wait\": 2, \"retry_timeout\": 5}").statusCode()).isEqualTo(200);
        try (Client etcd = Client.builder().endpoints(cluster.etcd.clientUrl()).build()) {
            ByteSequence leaderKey = ByteSequence.from("/meridian/" + TestCluster.CLUSTER + "/leader", StandardCharsets.UTF_8);
            // Within one loop the leader key's lease, as etcd reports it, has the new TTL.
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
                KeyValue kv = etcd.getKVClient().get(leaderKey).get(5, TimeUnit.SECONDS).getKvs().get(0);
                return etcd.getLeaseClient().timeToLive(kv.getLease(), LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS)
                        .getGrantedTTL() == TTL;
            });
        }
        try (DirectWriter writer = new DirectWriter(cluster, old)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.acks.size() >= 20);
            long cutAtMillis = System.currentTimeMillis();
            cluster.etcdLinks.get(old).cut(true, true);
            String next = cluster.awaitNewLeader(old, Duration.ofSeconds(3L * TTL));
            TimelineEvent promotion = cluster.cluster().history().stream().filter(e -> e.newLeader().equals(next))
                    .reduce((a, b) -> b).orElseThrow();
            // The writer keeps trying the old primary, reconnecting as a pooled client would, for
            // longer than the old fence's ttl after the cut.
            long until = Math.max(promotion.atMillis(), cutAtMillis + 1000L * TTL) + 5000;
            await().atMost(Duration.ofSeconds(3L * TTL)).until(() -> System.currentTimeMillis() > until);
            writer.close();
            long afterPromotion = writer.acks.stream().filter(at -> at > promotion.atMillis()).count();
            long lastAck = writer.acks.stream().mapToLong(Long::longValue).max().orElseThrow();
            System.out.printf("live ttl %d s: cut at 0, last ack from the old primary at +%.1f s, %s promoted at +%.1f s,"
                    + " %d acks after the promotion%n", TTL, (lastAck - cutAtMillis) / 1e3, next,
                    (promotion.atMillis() - cutAtMillis) / 1e3, afterPromotion);
            assertThat(afterPromotion).as("commits the old primary acknowledged after %s was promoted", next).isZero();
        }
    }

    private HttpResponse<String> patch(String node, String body) throws Exception {
        String auth = Base64.getEncoder().encodeToString(("admin:" + cluster.restPassword()).getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cluster.restUrl(node) + "/config"))
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Basic " + auth).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A client connected straight to one node's PostgreSQL (not through the router, not following
     * etcd): one autocommit insert at a time, reconnecting after any error, recording the wall-clock
     * time each commit was acknowledged.
     */
    private static final class DirectWriter implements AutoCloseable {

        final ConcurrentLinkedQueue<Long> acks = new ConcurrentLinkedQueue<>();
        private final TestCluster cluster;
        private final String node;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        DirectWriter(TestCluster cluster, String node) throws Exception {
            this.cluster = cluster;
            this.node = node;
            try (Connection c = cluster.connect(node); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS direct_writes (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())");
            }
            thread = new Thread(this::run, "direct-writer");
            thread.start();
        }

        private void run() {
            while (running.get()) {
                try (Connection c = cluster.connect(node);
                        PreparedStatement ps = c.prepareStatement("INSERT INTO direct_writes DEFAULT VALUES")) {
                    while (running.get()) {
                        ps.executeUpdate();
                        acks.add(System.currentTimeMillis());
                    }
                } catch (Exception e) {
                    try {
                        Thread.sleep(20); // pacing between reconnect attempts, not a wait for a condition
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }
}
