package io.meridian.router;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The router's view of the cluster: the newest {@link Cluster} record it has applied and when etcd
 * last confirmed it. In production {@link DcsFeed} fills it from {@code Dcs.watch} and a periodic
 * {@code Dcs.load}; tests feed records directly. Thread-safe: one writer at a time (synchronized
 * {@link #apply}), any number of readers of the volatile snapshot.
 */
public final class ClusterView {

    /** A cluster record with the monotonic time at which etcd last vouched for it. */
    public record Snapshot(Cluster cluster, long confirmedNanos) {
    }

    /** The leader moved (either side may be null: nobody leads). */
    public record LeaderChange(String previous, String current, Cluster cluster) {
    }

    private volatile Snapshot snapshot;
    private final List<Consumer<Cluster>> onCluster = new CopyOnWriteArrayList<>();
    private final List<Consumer<LeaderChange>> onLeaderChange = new CopyOnWriteArrayList<>();

    /**
     * Applies a record read from etcd. An older revision than the one applied only confirms that
     * etcd still answers (a periodic load can finish after a newer watch event).
     */
    public synchronized void apply(Cluster cluster) {
        long now = System.nanoTime();
        Snapshot old = snapshot;
        if (old != null && cluster.revision() < old.cluster().revision()) {
            snapshot = new Snapshot(old.cluster(), now);
            return;
        }
        snapshot = new Snapshot(cluster, now);
        String before = old == null ? null : leaderIdentity(old.cluster());
        String after = leaderIdentity(cluster);
        for (Consumer<Cluster> l : onCluster) {
            l.accept(cluster);
        }
        if (old == null || !Objects.equals(before, after)) {
            LeaderChange change = new LeaderChange(old == null ? null : leaderName(old.cluster()), leaderName(cluster), cluster);
            for (Consumer<LeaderChange> l : onLeaderChange) {
                l.accept(change);
            }
        }
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /**
     * The leader's member record if a leader is known, its agent has published an address, and etcd
     * confirmed the view within {@code staleAfter}; empty otherwise (fail closed).
     */
    public Optional<Member> leader(Duration staleAfter) {
        Snapshot s = snapshot;
        if (s == null || System.nanoTime() - s.confirmedNanos() > staleAfter.toNanos()) {
            return Optional.empty();
        }
        return s.cluster().leaderMember().filter(m -> m.host() != null && m.port() > 0);
    }

    /** Why {@link #leader} is empty, for the refusal message. */
    public String whyNoLeader(Duration staleAfter) {
        Snapshot s = snapshot;
        if (s == null) {
            return "the router has not read the cluster state from etcd yet";
        }
        long ageMillis = (System.nanoTime() - s.confirmedNanos()) / 1_000_000;
        if (ageMillis > staleAfter.toMillis()) {
            return "the router has not heard from etcd for " + ageMillis + " ms, so it cannot tell who leads";
        }
        if (!s.cluster().hasLeader()) {
            return "cluster \"" + s.cluster().name() + "\" has no leader right now";
        }
        return "leader \"" + s.cluster().leader().name() + "\" has not published its address";
    }

    public void onCluster(Consumer<Cluster> listener) {
        onCluster.add(listener);
    }

    public void onLeaderChange(Consumer<LeaderChange> listener) {
        onLeaderChange.add(listener);
    }

    private static String leaderName(Cluster c) {
        return c.hasLeader() ? c.leader().name() : null;
    }

    /** Name and address: a leader that moved to another port is a different server to connect to. */
    private static String leaderIdentity(Cluster c) {
        return c.leaderMember().map(m -> m.name() + "@" + m.hostPort()).orElse(null);
    }
}
