package io.meridian.router.route;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.router.ClusterView;
import io.meridian.router.config.LiveConfig;
import io.meridian.router.config.RouterConfig;
import io.meridian.router.lag.LagMonitor;
import io.meridian.router.lag.NodeLag;
import io.meridian.router.wire.ErrorPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * Decides where a new connection goes from the three things the router knows: the cluster view
 * (who leads), the lag monitor (how far behind each replica is, measured now), and its own
 * connection counts.
 */
public final class RoutePlanner {

    private final LiveConfig live;
    private final ClusterView view;
    private final LagMonitor lag;
    private final ToIntFunction<String> connections;

    public RoutePlanner(LiveConfig live, ClusterView view, LagMonitor lag, ToIntFunction<String> connections) {
        this.live = live;
        this.view = view;
        this.lag = lag;
        this.connections = connections;
    }

    /** The read-write port: the leader, or a refusal when the router cannot tell who leads. */
    public Decision readWrite() {
        RouterConfig config = live.get();
        Optional<Member> leader = view.leader(config.leaderStaleAfter());
        if (leader.isEmpty()) {
            return new Decision.Refuse(ErrorPacket.CANNOT_CONNECT_NOW,
                    "meridian router refuses read-write connections: " + view.whyNoLeader(config.leaderStaleAfter()));
        }
        Member m = leader.get();
        return new Decision.Route(new Backend(m.name(), m.host(), m.port(), true), "leader");
    }

    /**
     * The read-only port. {@code waitExpired} is false while a {@code meridian.min_lsn} read may
     * still wait for a replica to replay its position.
     */
    public Decision readOnly(RoutingHints hints, boolean waitExpired) {
        RouterConfig config = live.get();
        ClusterView.Snapshot snap = view.snapshot();
        Optional<Member> leader = view.leader(config.leaderStaleAfter());
        LagBound bound = hints.maxLag() != null ? hints.maxLag() : config.reads().maxLag();
        String region = hints.region() != null ? hints.region() : config.region();
        if (snap != null && leader.isPresent()) {
            Optional<Candidate> pick = ReplicaSelector.choose(candidates(snap.cluster(), leader.get().name()), region, bound, hints.minLsn());
            if (pick.isPresent()) {
                Candidate c = pick.get();
                return new Decision.Route(new Backend(c.name(), c.host(), c.port(), false),
                        "replica in " + c.region() + (hints.minLsn() != null ? " at or past " + hints.minLsn() : ""));
            }
            if (hints.minLsn() != null && !waitExpired) {
                return new Decision.Wait();
            }
        }
        String why = snap == null || leader.isEmpty() ? view.whyNoLeader(config.leaderStaleAfter())
                : hints.minLsn() != null ? "no replica has replayed " + hints.minLsn()
                : "no replica is within max_lag " + bound;
        if (config.reads().fallback() == RouterConfig.Fallback.LEADER && leader.isPresent()) {
            Member m = leader.get();
            return new Decision.Route(new Backend(m.name(), m.host(), m.port(), true), "leader fallback: " + why);
        }
        return new Decision.Refuse(ErrorPacket.CANNOT_CONNECT_NOW, "meridian router refuses read-only connection: " + why);
    }

    /** Replicas the router itself saw in recovery within the freshness bound. */
    List<Candidate> candidates(Cluster cluster, String leaderName) {
        List<Candidate> out = new ArrayList<>();
        for (Member m : cluster.members()) {
            if (m.name().equals(leaderName) || m.host() == null || m.port() <= 0 || m.tags().noLoadBalance()) {
                continue;
            }
            NodeLag l = lag.lag(m.name());
            if (!l.fresh() || !l.inRecovery()) {
                continue;
            }
            out.add(new Candidate(m.name(), m.region(), m.host(), m.port(), l.lagBytes(), l.lagMillis(), l.replayLsn(),
                    l.rttNanos(), connections.applyAsInt(m.name())));
        }
        return out;
    }

    public void pollSoon() {
        lag.pollSoon();
    }
}
