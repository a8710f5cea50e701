package io.meridian.router.lag;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.router.config.RouterConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps one {@link NodeProbe} per member of the cluster and turns their answers into fresh lag
 * figures: each replica's replay position against the leader's current position, both measured by
 * the router itself every {@code monitor.interval}, rather than the agents' once-a-loop reports.
 */
public final class LagMonitor implements AutoCloseable {

    private RouterConfig.Monitor config;
    private volatile long freshNanos;
    private Cluster lastCluster;
    private final Map<String, NodeProbe> probes = new HashMap<>();
    private final Map<String, Measurement> latest = new ConcurrentHashMap<>();
    private final LeaderLsnHistory leaderHistory = new LeaderLsnHistory();
    private volatile String leader;
    private boolean closed;

    public LagMonitor(RouterConfig.Monitor config) {
        this.config = config;
        this.freshNanos = freshNanos(config);
    }

    /** Three missed rounds plus one timeout: past that a figure is history, not a measurement. */
    private static long freshNanos(RouterConfig.Monitor config) {
        return 3 * config.interval().toNanos() + config.timeout().toNanos();
    }

    /**
     * New monitor settings (a reload): every probe is replaced by one with the new login, interval
     * and timeout. The figures already measured stay until they age out, so reads keep their
     * replicas while the new probes connect.
     *
     * @return whether anything changed
     */
    public synchronized boolean reconfigure(RouterConfig.Monitor next) {
        if (closed || next.equals(config)) {
            return false;
        }
        config = next;
        freshNanos = freshNanos(next);
        probes.values().forEach(NodeProbe::stop);
        probes.clear();
        if (lastCluster != null) {
            update(lastCluster);
        }
        return true;
    }

    /** Follows membership: probes new members, stops probing those that left or moved. */
    public synchronized void update(Cluster cluster) {
        if (closed) {
            return;
        }
        lastCluster = cluster;
        String newLeader = cluster.hasLeader() ? cluster.leader().name() : null;
        if (newLeader == null || !newLeader.equals(leader)) {
            leaderHistory.clear();
        }
        leader = newLeader;
        Set<String> seen = new HashSet<>();
        for (Member m : cluster.members()) {
            if (m.host() == null || m.port() <= 0) {
                continue;
            }
            seen.add(m.name());
            NodeProbe p = probes.get(m.name());
            String hp = new io.meridian.core.config.HostPort(m.host(), m.port()).toString();
            if (p != null && !p.hostPort.equals(hp)) {
                p.stop();
                latest.remove(m.name());
                p = null;
            }
            if (p == null) {
                String name = m.name();
                p = new NodeProbe(name, m.host(), m.port(), config, meas -> record(name, meas));
                probes.put(name, p);
                p.start();
            }
        }
        probes.entrySet().removeIf(e -> {
            if (!seen.contains(e.getKey())) {
                e.getValue().stop();
                latest.remove(e.getKey());
                return true;
            }
            return false;
        });
    }

    private void record(String node, Measurement m) {
        latest.put(node, m);
        if (node.equals(leader) && !m.inRecovery()) {
            leaderHistory.record(m.lsn(), m.atNanos());
        }
    }

    /** Fresh figures for one node, computed at call time. */
    public NodeLag lag(String node) {
        Measurement m = latest.get(node);
        long now = System.nanoTime();
        if (m == null) {
            return NodeLag.unknown(node);
        }
        boolean fresh = now - m.atNanos() <= freshNanos;
        if (!fresh) {
            return new NodeLag(node, m.lsn(), -1, -1, m.rttNanos(), m.inRecovery(), false, m.replayTimestampMillis());
        }
        Measurement lead = leader == null ? null : latest.get(leader);
        boolean leaderFresh = lead != null && !lead.inRecovery() && now - lead.atNanos() <= freshNanos;
        long bytes = -1;
        long millis = -1;
        if (node.equals(leader) && !m.inRecovery()) {
            bytes = 0;
            millis = 0;
        } else if (leaderFresh && leaderHistory.latest() != null) {
            bytes = leaderHistory.latest().bytesAfter(m.lsn());
            millis = leaderHistory.lagMillis(m.lsn(), now);
        }
        return new NodeLag(node, m.lsn(), bytes, millis, m.rttNanos(), m.inRecovery(), true, m.replayTimestampMillis());
    }

    /** Wakes every probe for an immediate round (a read is waiting for a replica to reach an LSN). */
    public synchronized void pollSoon() {
        for (NodeProbe p : probes.values()) {
            p.pollSoon();
        }
    }

    public synchronized Set<String> nodes() {
        return Set.copyOf(probes.keySet());
    }

    @Override
    public synchronized void close() {
        closed = true;
        probes.values().forEach(NodeProbe::stop);
        probes.clear();
    }
}
