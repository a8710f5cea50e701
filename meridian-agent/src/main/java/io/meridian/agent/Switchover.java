package io.meridian.agent;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.failover.Candidate;
import io.meridian.core.failover.FailoverCandidates;
import io.meridian.core.failover.FailoverContext;
import io.meridian.core.failover.PromotionRule;
import io.meridian.core.postgres.PgState;
import io.meridian.core.postgres.PostgresController;
import io.meridian.core.postgres.PostgresException;
import java.util.ArrayList;
import java.util.List;

/**
 * The leader's side of a planned switchover: check the candidate now, stop cleanly (a fast
 * shutdown makes the WAL senders ship everything, shutdown checkpoint included, to connected
 * standbys), then give up the key so the named candidate takes it. No acknowledged commit is lost
 * because the candidate holds every byte the old primary wrote.
 */
final class Switchover {

    private Switchover() {
    }

    static String stepDown(Cluster c, SwitchoverRequest req, PgState state, NodeConfig node, Dcs dcs,
                           PostgresController pg, PeerProbe peers, Runnable disarm) throws DcsException, PostgresException {
        if (req.scheduledAt() > System.currentTimeMillis()) {
            return "switchover scheduled at " + java.time.Instant.ofEpochMilli(req.scheduledAt()) + "; leading until then";
        }
        // The leader is alive, so lag is measured against its position now, not the last status.
        FailoverContext ctx = FailoverContext.handover(c, state.writeLsn(), state.timeline(), node.region());
        List<Candidate> others = new ArrayList<>();
        for (Candidate cand : peers.candidates(c, node.name(), null)) {
            if (cand != null && (req.candidate() == null || req.candidate().isEmpty() || cand.name().equals(req.candidate()))) {
                others.add(cand);
            }
        }
        if (req.candidate() != null && !req.candidate().isEmpty() && others.isEmpty()) {
            dcs.clearSwitchover(c.switchoverVersion());
            return "switchover refused: " + req.candidate() + " is not a member of the cluster";
        }
        var ranking = FailoverCandidates.rank(others, ctx);
        if (ranking.eligible().isEmpty()) {
            dcs.clearSwitchover(c.switchoverVersion());
            return "switchover refused: no eligible candidate " + ranking.refused();
        }
        Candidate chosen = ranking.eligible().get(0);
        if (req.candidate() == null || req.candidate().isEmpty()) {
            // Name the chosen node so that only it races for the key we are about to release.
            SwitchoverRequest named = new SwitchoverRequest(req.leader(), chosen.name(), 0, System.currentTimeMillis());
            if (!dcs.setSwitchover(named, c.switchoverVersion())) {
                return "switchover request changed while I was acting on it; will look again";
            }
        }
        disarm.run();
        Lsn last = state.writeLsn();
        pg.stop("fast", 60);
        dcs.releaseLeader(node.name());
        return "switchover: stopped cleanly at " + last + " and released the leader key to " + chosen.name();
    }

    /**
     * Used by the REST API to refuse early, with the reason; {@code fresh} is the candidate's own
     * status just now (null when it did not answer), since its member key can be a loop old. The
     * rule is {@link PromotionRule}, the one the race and the CLI apply; lag is measured against
     * the leader's last published position.
     */
    static String refusal(Cluster c, String candidate, NodeStatus fresh) {
        Member m = c.member(candidate).orElse(null);
        if (m == null) {
            return candidate + " is not a member of the cluster";
        }
        if (c.isLeader(candidate)) {
            return candidate + " is already the leader";
        }
        Member leader = c.leaderMember().orElse(null);
        long timeline = leader != null && leader.timeline() > 0 ? leader.timeline()
                : c.status().timeline() > 0 ? c.status().timeline() : c.lastTimeline();
        FailoverContext ctx = FailoverContext.handover(c, leader == null ? Lsn.ZERO : leader.writeLsn(), timeline,
                leader == null ? null : leader.region());
        Candidate cand = fresh == null
                ? new Candidate(candidate, m.region(), m.tags(), false, false, 0, Lsn.ZERO, false, false)
                : new Candidate(candidate, m.region(), m.tags(), "running".equals(fresh.state()), fresh.inRecovery(),
                fresh.timeline(), Lsn.max(fresh.receiveLsn(), fresh.replayLsn()),
                "streaming".equals(fresh.replicationState()), true);
        PromotionRule.Refusal r = PromotionRule.check(cand, ctx, PromotionRule.Lag.CHECKED);
        if (r == null) {
            return null;
        }
        return switch (r.reason()) {
            case UNREACHABLE -> candidate + "'s agent does not answer";
            case NOFAILOVER, PRIORITY_ZERO -> candidate + " is tagged nofailover";
            case NOT_STREAMING -> candidate + " is not streaming from the leader";
            case TOO_FAR_BEHIND -> candidate + " lags " + r.lag() + " bytes behind the leader (maximum_lag_on_failover "
                    + c.config().maximumLagOnFailover() + ")";
            default -> candidate + ": " + r.text();
        };
    }
}
