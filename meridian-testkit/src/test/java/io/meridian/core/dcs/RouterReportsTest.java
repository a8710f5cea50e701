package io.meridian.core.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.RouterState;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.testkit.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Router reports under {@code routers/} against a real etcd: read by {@link Dcs#routers()}, invisible to the HA loop. */
class RouterReportsTest {

    private static final String NS = "/meridian-routers";

    @RegisterExtension
    static final EtcdExtension etcd = new EtcdExtension();

    private static EtcdDcs open(String cluster) {
        return EtcdDcs.connect(etcd.endpoints(), NS, cluster, null, 6, 10);
    }

    private static long put(String key, String value) throws Exception {
        return etcd.client().getKVClient().put(bytes(key), bytes(value)).get(10, TimeUnit.SECONDS).getHeader().getRevision();
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Test
    void routersAreReadSortedByNameAndGarbageIsLeftOut() throws Exception {
        try (EtcdDcs dcs = open("r1")) {
            assertThat(dcs.routers()).isEmpty();
            put(NS + "/r1/routers/router-tokyo",
                    "{\"router\":\"router-tokyo\",\"region\":\"tokyo\",\"revision\":41,\"leader\":\"paris-1\",\"updated_at\":\"2026-11-25T21:30:00Z\",\"extra\":1}");
            put(NS + "/r1/routers/router-paris", "{\"region\":\"paris\",\"revision\":40,\"leader\":null}");
            put(NS + "/r1/routers/router-bad", "not json");
            // Another cluster whose name starts alike must not leak in.
            put(NS + "/r10/routers/router-x", "{\"router\":\"router-x\",\"revision\":1,\"leader\":\"a\"}");

            List<RouterState> routers = dcs.routers();
            assertThat(routers).extracting(RouterState::router).containsExactly("router-paris", "router-tokyo");
            assertThat(routers.get(0).leader()).isNull();
            assertThat(routers.get(1)).isEqualTo(new RouterState("router-tokyo", "tokyo", 41, "paris-1", "2026-11-25T21:30:00Z"));
            assertThat(routers.get(1).follows("paris-1", 41)).isTrue();
            assertThat(routers.get(1).follows("paris-1", 42)).as("older than the leader key").isFalse();
            assertThat(routers.get(1).follows("paris-2", 1)).as("follows someone else").isFalse();
        }
    }

    @Test
    void routerKeysDoNotDisturbTheClusterRecord() throws Exception {
        try (EtcdDcs dcs = open("r2")) {
            put(NS + "/r2/config", "{\"ttl\": 10, \"router_wait_timeout\": 2.5}");
            put(NS + "/r2/routers/router-paris", "{\"router\":\"router-paris\",\"revision\":7,\"leader\":\"a\"}");
            put(NS + "/r2/routers/router-bad", "[1,2");
            Cluster c = dcs.load();
            assertThat(c.config().ttl()).isEqualTo(10);
            assertThat(c.config().routerWaitTimeout()).isEqualTo(2.5);
            assertThat(c.members()).isEmpty();
        }
    }

    @Test
    void routerKeysDoNotWakeTheHaLoopButLeadershipDoes() throws Exception {
        try (EtcdDcs dcs = open("r3")) {
            long revision = dcs.load().revision();
            // The watch covers everything after `revision`, so the write below is seen whenever it registers.
            put(NS + "/r3/routers/router-paris", "{\"router\":\"router-paris\",\"revision\":7,\"leader\":\"a\"}");
            assertThat(dcs.awaitChange(revision, Duration.ofMillis(700))).as("woken by a router report").isFalse();
            put(NS + "/r3/leader", "a");
            assertThat(dcs.awaitChange(revision, Duration.ofSeconds(10))).as("woken by the leader key").isTrue();
        }
    }

    @Test
    void routerWaitTimeoutIsValidated() {
        assertThat(DynamicConfig.DEFAULTS.routerWaitTimeout()).isZero();
        assertThat(DynamicConfigParser.parse("cfg", "router_wait_timeout: 3").routerWaitTimeoutMillis())
                .isEqualTo(3000);
        assertThatThrownBy(() ->
                        DynamicConfigParser.parse("cfg", "router_wait_timeout: -1"))
                .hasMessageContaining("router_wait_timeout").hasMessageContaining("from 0.0 to 60.0");
        assertThatThrownBy(() ->
                        DynamicConfigParser.parse("cfg", "router_wait_timeout: soon"))
                .hasMessageContaining("router_wait_timeout");
        // A merge keeps the setting (edit-config of another key must not reset it).
        var merged = DynamicConfigParser.merge("patch",
                DynamicConfigParser.parse("cfg", "router_wait_timeout: 4"), "{\"paused\": true}");
        assertThat(merged.routerWaitTimeout()).isEqualTo(4);
        assertThat(merged.withPaused(false).routerWaitTimeout()).isEqualTo(4);
    }
}
