package io.meridian.agent;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.dcs.EtcdView;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps etcd's Raft leader out of the PostgreSQL leader's region. When both leaders sit in one
 * region, losing that region costs an etcd election before anything else can happen, and etcd's new
 * leader then renews every lease by a full TTL, the dead primary's leader key included: the
 * failover waits for both. Measured on the WAN lab (bench/regions/etcd-leader-ab.sh, region outage
 * of the leader's region): median 13.7 s to the first write on the new leader with etcd's leader
 * lost with the region, 9.9 s with it moved away.
 *
 * <p>Regions of etcd members come from the agents themselves: each publishes its own region's etcd
 * member, the first of its {@code etcd.endpoints} (not the one it happens to talk to: after a
 * member stopped answering, an agent may be talking to another region's). etcd takes a leadership
 * transfer from its leader only: {@link Dcs#moveEtcdLeader} sends it there.
 *
 * <p>Runs on the leader's HA loop, at most once per {@link #INTERVAL_NANOS}.
 */
final class EtcdLeaderPlacement {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdLeaderPlacement.class);
    /** etcd's leader rarely moves by itself: one status request every 10 s is plenty. */
    static final long INTERVAL_NANOS = 10_000_000_000L;

    /** A transfer to make ({@code transferee} non-zero) or why none, for the log. */
    record Decision(long transferee, String reason) {

        boolean move() {
            return transferee != 0;
        }
    }

    private final String region;
    private final LongSupplier clock;
    private long lastCheckNanos;
    private String lastReason;

    EtcdLeaderPlacement(String region, LongSupplier clock) {
        this.region = region;
        this.clock = clock;
    }

    /**
     * Moves etcd's leadership out of this region if it is in it. Returns the sentence for the HA
     * cycle's log line when it moved it, else null; failures are logged, never thrown: placement is
     * an optimisation.
     */
    String maybeMove(Dcs dcs, Cluster c, DynamicConfig cfg) {
        long now = clock.getAsLong();
        if (!DynamicConfig.OTHER_REGION.equals(cfg.etcdLeaderPlacement())
                || (lastCheckNanos != 0 && now - lastCheckNanos < INTERVAL_NANOS)) {
            return null;
        }
        lastCheckNanos = now;
        try {
            EtcdView view = dcs.etcdView();
            Map<String, Set<String>> regions = etcdRegions(c.members());
            if (dcs.etcdMember() != null) {
                regions.computeIfAbsent(dcs.etcdMember(), k -> new TreeSet<>()).add(region);
            }
            Decision d = decide(view, region, regions, cfg.regionPriority());
            if (!d.move()) {
                if (!d.reason().equals(lastReason)) {
                    LOG.info("etcd leader placement: {}", d.reason());
                    lastReason = d.reason();
                }
                return null;
            }
            dcs.moveEtcdLeader(view, d.transferee());
            lastReason = null;
            return "moved etcd leadership from " + view.nameOf(view.leaderId()) + " to "
                    + view.nameOf(d.transferee()) + ": " + d.reason();
        } catch (DcsException e) {
            LOG.warn("etcd leader placement: {}", e.getMessage());
            return null;
        }
    }

    /** etcd member (hexadecimal id) to the regions of the agents that talk to it. */
    static Map<String, Set<String>> etcdRegions(List<Member> members) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Member m : members) {
            if (m.etcdMember() != null && m.region() != null) {
                out.computeIfAbsent(m.etcdMember(), k -> new TreeSet<>()).add(m.region());
            }
        }
        return out;
    }

    /**
     * Whether to hand etcd's leadership on, and to whom: a voting member that no agent of
     * {@code region} talks to, in {@code regionPriority} order of the regions that use it (members
     * whose region nobody reports come last), then by name.
     */
    static Decision decide(EtcdView view, String region, Map<String, Set<String>> etcdRegions,
                           List<String> regionPriority) {
        if (view.leaderId() == 0) {
            return new Decision(0, "etcd has no leader right now");
        }
        Set<Long> ours = new HashSet<>();
        etcdRegions.forEach((hex, regions) -> {
            if (regions.contains(region)) {
                ours.add(Long.parseUnsignedLong(hex, 16));
            }
        });
        String leaderName = view.nameOf(view.leaderId());
        if (!ours.contains(view.leaderId())) {
            return new Decision(0, "etcd's leader " + leaderName + " is outside region " + region);
        }
        Comparator<EtcdView.Member> order = Comparator
                .comparingInt((EtcdView.Member m) -> rank(etcdRegions.get(EtcdView.hex(m.id())), regionPriority))
                .thenComparing(EtcdView.Member::name);
        return view.members().stream()
                .filter(m -> !m.learner() && !ours.contains(m.id()))
                .min(order)
                .map(m -> new Decision(m.id(), "etcd's leader was in my region " + region
                        + ", where losing the region would also cost an etcd election"))
                .orElse(new Decision(0, "etcd's leader " + leaderName + " is in region " + region
                        + " and no voting etcd member outside it is known"));
    }

    /** Best position in {@code priority} of the regions using a member; unknown regions after all. */
    private static int rank(Set<String> regions, List<String> priority) {
        if (regions == null || regions.isEmpty()) {
            return Integer.MAX_VALUE;
        }
        int best = Integer.MAX_VALUE - 1;
        for (String r : regions) {
            int i = priority.indexOf(r);
            best = Math.min(best, i < 0 ? priority.size() : i);
        }
        return best;
    }
}
