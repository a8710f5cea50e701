package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.core.config.DynamicConfig;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.core.dcs.EtcdView;
import io.meridian.testkit.EtcdExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The leader's agent hands etcd's Raft leadership out of its region, on a real three-member etcd. */
class EtcdLeaderPlacementEtcdTest {

    @RegisterExtension
    static EtcdExtension etcd = EtcdExtension.cluster(3);

    @Test
    void anEtcdLeaderInMyRegionIsHandedToAnotherMemberAndStaysThere() throws Exception {
        // Which endpoint is which member: ask each alone.
        Map<Long, String> endpointOf = new HashMap<>();
        long leader = 0;
        for (String e : etcd.endpoints()) {
            try (EtcdDcs one = EtcdDcs.connect(List.of(e), "/meridian", "placement", null, 6, 5)) {
                EtcdView v = await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                        .until(one::etcdView, x -> x.leaderId() != 0);
                endpointOf.put(v.servingId(), e);
                leader = v.leaderId();
            }
        }
        assertThat(endpointOf).hasSize(3);

        // This agent's region is the etcd leader's: its member comes first in its endpoint list.
        List<String> endpoints = new ArrayList<>(etcd.endpoints());
        endpoints.remove(endpointOf.get(leader));
        endpoints.add(0, endpointOf.get(leader));
        try (EtcdDcs dcs = EtcdDcs.connect(endpoints, "/meridian", "placement", "paris-1", 6, 5)) {
            var cluster = dcs.load();
            assertThat(dcs.etcdMember()).isEqualTo(EtcdView.hex(leader));
            EtcdLeaderPlacement placement = new EtcdLeaderPlacement("paris", System::nanoTime);

            String moved = placement.maybeMove(dcs, cluster, DynamicConfig.DEFAULTS);
            assertThat(moved).startsWith("moved etcd leadership from ").contains("my region paris");
            final long old = leader;
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> dcs.etcdView().leaderId(), id -> id != 0 && id != old);
            // Checked at most every 10 s, and once elsewhere the leader is left alone.
            assertThat(placement.maybeMove(dcs, cluster, DynamicConfig.DEFAULTS)).isNull();
            assertThat(new EtcdLeaderPlacement("paris", System::nanoTime).maybeMove(dcs, cluster, DynamicConfig.DEFAULTS))
                    .isNull();
            assertThat(dcs.etcdView().leaderId()).isNotEqualTo(old);
        }
    }

    @Test
    void aTransferAskedThroughAFollowerGoesToTheLeader() throws Exception {
        try (EtcdDcs any = EtcdDcs.connect(etcd.endpoints(), "/meridian", "placement", null, 6, 5)) {
            EtcdView v = await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(any::etcdView, x -> x.leaderId() != 0);
            long follower = v.members().stream().mapToLong(EtcdView.Member::id).filter(id -> id != v.leaderId())
                    .findFirst().orElseThrow();
            long other = v.members().stream().mapToLong(EtcdView.Member::id)
                    .filter(id -> id != v.leaderId() && id != follower).findFirst().orElseThrow();
            String followerUrl = etcd.endpoints().stream().filter(e -> {
                try (EtcdDcs one = EtcdDcs.connect(List.of(e), "/meridian", "placement", null, 6, 5)) {
                    return one.etcdView().servingId() == follower;
                } catch (Exception ex) {
                    return false;
                }
            }).findFirst().orElseThrow();
            try (EtcdDcs viaFollower = EtcdDcs.connect(List.of(followerUrl), "/meridian", "placement", null, 6, 5)) {
                viaFollower.moveEtcdLeader(viaFollower.etcdView(), other);
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> viaFollower.etcdView().leaderId() == other);
            }
        }
    }

    @Test
    void placementAnyLeavesEtcdAlone() throws Exception {
        try (EtcdDcs dcs = EtcdDcs.connect(etcd.endpoints(), "/meridian", "placement", "paris-1", 6, 5)) {
            var cluster = dcs.load();
            DynamicConfig any = new DynamicConfig(6, 1, 2, 1024L * 1024, 3, 1800, false, 0, List.of(), "off", 1, false,
                    false, 10, Map.of(), 0, DynamicConfig.ANY);
            long before = dcs.etcdView().leaderId();
            assertThat(new EtcdLeaderPlacement("paris", System::nanoTime).maybeMove(dcs, cluster, any)).isNull();
            assertThat(dcs.etcdView().leaderId()).isEqualTo(before);
        }
    }
}
