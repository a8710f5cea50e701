package io.meridian.agent;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.failover.Candidate;
import io.meridian.core.failover.FailoverCandidates;
import io.meridian.core.failover.FailoverContext;
import io.meridian.core.failover.PromotionRule;
import io.meridian.core.postgres.PgState;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What one HA cycle does, as a pure function of what the loop knows: the cluster record, the
 * local PostgreSQL, the loop's memory and the time, all passed in ({@link Inputs}). {@link HaLoop}
 * gathers the inputs, calls {@link #decide}, and performs the {@link Action}; the reason is the
 * cycle's log line. Tested as a table of named cases ({@code HaDecisionTest}).
 *
 * <p>A fact only a side effect can learn (did the lease renewal succeed? does every member answer
 * in failsafe mode? what do the peers say? where does my timeline fork?) is asked for with a step
 * action ({@link Kind#isStep()}); the loop performs the step, fills the fact in, and decides again.
 * Each step fills one fact, so a cycle decides at most five times.
 *
 * <p>The order of the checks is the one {@code docs/ha-loop.md} documents.
 */
final class HaDecision {

    private HaDecision() {
    }

    /** What the loop does; a step asks for a fact and the decision is taken again. */
    enum Kind {
        /** Step: renew the leader key and move the fence (params: ttl, margin); decide again with the outcome. */
        RENEW,
        /** Step: ask every member whether it still hears the leader (failsafe mode). */
        ASK_FAILSAFE,
        /** Step: ask every other agent for its status over REST. */
        PROBE_PEERS,
        /** Step: read where my timeline forks from the leader's (pg_waldump). */
        CHECK_FORK,
        /** Run the operator task queued by the REST API. */
        OPERATOR_TASK,
        /** Empty data directory: race for /initialize, or clone the leader. */
        BOOTSTRAP,
        /** Nothing to do; the reason says why. */
        NO_ACTION,
        /** Nothing to do, and I am not the leader: disarm the fence and forget leadership. */
        FORGET,
        /** Stop PostgreSQL immediately and release the leader key. */
        DEMOTE,
        /** I hold the key but run as a standby: promote. */
        PROMOTE,
        /** Leader: publish status, keep slots and the sync set; nothing else. */
        LEAD,
        /** Leader: clear a switchover request that names me as its candidate. */
        CLEAR_SWITCHOVER,
        /** Leader: act on a switchover or failover request (Switchover.stepDown). */
        STEP_DOWN,
        /** Running as primary without the key, and I was the last leader: take the key back. */
        TAKE_KEY,
        /** Named by a switchover or failover request: take the key and promote. */
        ACQUIRE_AND_PROMOTE,
        /** Best candidate of the race: catch up if behind, then take the key and promote (params: self, ranking, answered). */
        RACE,
        /** Point PostgreSQL at a (new) leader (params: leader). */
        FOLLOW,
        /** Not streaming from a leader on a newer timeline: stop PostgreSQL for the divergence check. */
        STOP_FOR_FORK_CHECK,
        /** The leader's PostgreSQL is down: start it in place (params: timeout, spent seconds). */
        RESTART_PRIMARY,
        /** Give up the key: PostgreSQL did not come back within primary_start_timeout. */
        RELEASE,
        /** Stop a hung primary and give up the key. */
        STOP_AND_RELEASE,
        /** No leader and I was the last one: start PostgreSQL as primary. */
        START_PRIMARY,
        /** Start PostgreSQL as a standby of the leader, after pg_rewind if its history forked (params: leader). */
        START_STANDBY,
        /** etcd unreachable, failsafe mode, every member answered: move the fence on (params: ttl, margin). */
        KEEP_PRIMARY,
        /** etcd unreachable and no lease of mine left: stop the primary. */
        STOP_PRIMARY;

        boolean isStep() {
            return this == RENEW || this == ASK_FAILSAFE || this == PROBE_PEERS || this == CHECK_FORK;
        }
    }

    /**
     * One decision.
     *
     * @param timers the primary-down timers the loop keeps afterwards, or null to leave them
     * @param params what the executor needs beyond the reason (see each {@link Kind})
     */
    record Action(Kind kind, String reason, java.util.Map<String, Object> params, Timers timers) {

        static Action of(Kind kind, String reason) {
            return new Action(kind, reason, java.util.Map.of(), null);
        }

        Action with(String key, Object value) {
            var p = new java.util.HashMap<>(params);
            p.put(key, value);
            return new Action(kind, reason, java.util.Map.copyOf(p), timers);
        }

        Action timers(long primaryDownSince, long notAnsweringSince) {
            return new Action(kind, reason, params, new Timers(primaryDownSince, notAnsweringSince));
        }

        @SuppressWarnings("unchecked")
        <T> T param(String key) {
            return (T) params.get(key);
        }
    }

    /** Since when (monotonic nanos, 0 = not) the leader's PostgreSQL has been down, or alive but silent. */
    record Timers(long primaryDownSince, long notAnsweringSince) {
    }

    /**
     * What the loop remembers between cycles (monotonic nanos; 0 = never / not now).
     *
     * @param following         the leader PostgreSQL was last pointed at, or null
     * @param lastStreamed      last cycle that saw the WAL receiver streaming
     * @param followingSince    when PostgreSQL was last pointed at a (new) leader
     * @param noLeaderSince     first cycle that saw no leader key, 0 while there is one
     */
    record Memory(String following, long lastStreamed, long followingSince, long noLeaderSince, Timers timers) {
        static final Memory EMPTY = new Memory(null, 0, 0, 0, new Timers(0, 0));
    }

    /** Where my timeline forks from the leader's, as the divergence check read it; {@code at} null when unknown. */
    record Fork(Lsn at) {
    }

    /**
     * Everything one decision reads. The facts a step learns are null until asked for.
     *
     * @param cluster         this cycle's read of etcd, or the last one when {@code etcdError} is set (then maybe null)
     * @param etcdError       why etcd could not be read or written this cycle, null when it answered
     * @param configValid     {@code /config} decoded this cycle
     * @param hadValidConfig  this node has read a valid {@code /config} at least once (the cluster then carries it)
     * @param failsafeLeader  a leader that pinged us in failsafe mode within ttl, or null
     * @param renewed         outcome of {@link Kind#RENEW}, null before
     * @param failsafeAnswers outcome of {@link Kind#ASK_FAILSAFE}, null before
     * @param peers           outcome of {@link Kind#PROBE_PEERS} (myself included), null before
     * @param fork            outcome of {@link Kind#CHECK_FORK}, null before
     */
    record Inputs(String me, String region, MemberTags tags, Cluster cluster, String etcdError,
                  boolean configValid, boolean hadValidConfig, boolean taskPending, boolean hasData,
                  PgState state, boolean postmasterAlive, Memory memory, long nowNanos, long nowMillis,
                  boolean fenceArmed, long fenceRemainingMillis, String failsafeLeader,
                  Boolean renewed, Boolean failsafeAnswers, List<Candidate> peers, Fork fork) {

        Inputs renewed(boolean v) {
            return new Inputs(me, region, tags, cluster, etcdError, configValid, hadValidConfig, taskPending, hasData,
                    state, postmasterAlive, memory, nowNanos, nowMillis, fenceArmed, fenceRemainingMillis,
                    failsafeLeader, v, failsafeAnswers, peers, fork);
        }

        Inputs failsafeAnswers(boolean v) {
            return new Inputs(me, region, tags, cluster, etcdError, configValid, hadValidConfig, taskPending, hasData,
                    state, postmasterAlive, memory, nowNanos, nowMillis, fenceArmed, fenceRemainingMillis,
                    failsafeLeader, renewed, v, peers, fork);
        }

        Inputs peers(List<Candidate> v) {
            return new Inputs(me, region, tags, cluster, etcdError, configValid, hadValidConfig, taskPending, hasData,
                    state, postmasterAlive, memory, nowNanos, nowMillis, fenceArmed, fenceRemainingMillis,
                    failsafeLeader, renewed, failsafeAnswers, v, fork);
        }

        Inputs fork(Fork v) {
            return new Inputs(me, region, tags, cluster, etcdError, configValid, hadValidConfig, taskPending, hasData,
                    state, postmasterAlive, memory, nowNanos, nowMillis, fenceArmed, fenceRemainingMillis,
                    failsafeLeader, renewed, failsafeAnswers, peers, v);
        }
    }

    static Action decide(Inputs in) {
        if (in.etcdError() != null) {
            return etcdUnreachable(in);
        }
        Cluster c = in.cluster();
        if (!in.configValid() && !in.hadValidConfig()) {
            return unreadableConfig(in);
        }
        if (in.taskPending()) {
            return Action.of(Kind.OPERATOR_TASK, null);
        }
        if (!in.hasData()) {
            return Action.of(Kind.BOOTSTRAP, null);
        }
        PgState state = in.state();
        if (!c.isInitialized() && (c.systemId() == null || state.running())) {
            // A data directory, but no cluster in etcd that it belongs to (agents started before
            // `meridian adopt`, or etcd's keys lost): racing could promote a standby next to a primary
            // some other manager still runs, and demoting would stop a primary nobody replaces.
            return Action.of(Kind.NO_ACTION, "refusing to act: the data directory holds a cluster but " + c.name()
                    + " has no /initialize in etcd; run meridian adopt on its primary first");
        }
        if (c.isInitialized() && state.running() && state.systemId() != null && !c.systemId().equals(state.systemId())) {
            return Action.of(Kind.NO_ACTION, "refusing to act: data directory has system id " + state.systemId()
                    + " but cluster " + c.name() + " is " + c.systemId());
        }
        if (c.config().paused()) {
            return paused(in);
        }
        if (!state.running()) {
            return recover(in);
        }
        Action a;
        if (c.isLeader(in.me())) {
            a = lead(in);
        } else if (!c.hasLeader()) {
            a = race(in);
        } else {
            a = follow(in);
        }
        return a.timers(0, 0);
    }

    // ---- leader path -------------------------------------------------------------------------

    private static Action lead(Inputs in) {
        Cluster c = in.cluster();
        PgState state = in.state();
        if (in.renewed() == null) {
            return renew(c.config());
        }
        if (!in.renewed()) {
            return Action.of(Kind.DEMOTE, "lost the leader key (lease expired or taken)");
        }
        if (state.inRecovery()) {
            return Action.of(Kind.PROMOTE, "I hold the leader key but was still a standby");
        }
        SwitchoverRequest req = c.switchover();
        String me = in.me();
        if (req != null && me.equals(req.candidate()) && !me.equals(req.leader())) {
            // Left over from our own promotion (etcd did not answer the clear in time), or asking
            // for what is already true: either way it names the leader as its candidate.
            return Action.of(Kind.CLEAR_SWITCHOVER, "cleared a switchover request naming me as candidate: I am the leader already");
        }
        if (req != null && (req.isFailover() || me.equals(req.leader()))) {
            return Action.of(Kind.STEP_DOWN, null);
        }
        return Action.of(Kind.LEAD, "no action: I am the leader with the lease (" + state.writeLsn() + ", timeline "
                + state.timeline() + ")");
    }

    private static Action renew(DynamicConfig cfg) {
        return Action.of(Kind.RENEW, null).with("ttl", cfg.ttlMillis()).with("margin", fenceMargin(cfg));
    }

    /**
     * How long before the lease could expire the fence fires: time for the stop signal to reach
     * PostgreSQL on a loaded machine, and for the etcd leader's clock to run a little fast.
     */
    static long fenceMargin(DynamicConfig cfg) {
        return Math.min(cfg.ttlMillis() / 4, Math.max(1000, cfg.loopWaitMillis() / 2 + 200));
    }

    // ---- no leader: the race -------------------------------------------------------------------

    private static Action race(Inputs in) {
        Cluster c = in.cluster();
        PgState state = in.state();
        DynamicConfig cfg = c.config();
        String me = in.me();
        if (!state.inRecovery()) {
            // A primary without the key: we led before etcd lost our lease, or we restarted after a crash.
            if (wasLastLeader(c, me) && state.timeline() >= c.status().timeline()) {
                return Action.of(Kind.TAKE_KEY, "took the leader key: I was the last leader and nobody else holds it")
                        .with("ttl", cfg.ttlMillis()).with("margin", fenceMargin(cfg));
            }
            return Action.of(Kind.DEMOTE, "running as primary without the leader key, and I was not the last leader");
        }
        String pinged = cfg.failsafeMode() ? in.failsafeLeader() : null;
        if (pinged != null && !pinged.equals(me)) {
            return Action.of(Kind.NO_ACTION, "no leader key, but " + pinged
                    + " answered as leader in failsafe mode within ttl; not racing");
        }
        SwitchoverRequest req = c.switchover();
        Candidate self = selfCandidate(in);
        FailoverContext ctx = FailoverContext.afterLoss(c);
        if (req != null && req.candidate() != null && !req.candidate().isEmpty()
                && in.nowMillis() - req.requestedAt() < 4 * cfg.ttlMillis()) {
            if (!req.candidate().equals(me)) {
                return Action.of(Kind.NO_ACTION, "no leader: waiting for " + req.candidate() + " to take over as requested");
            }
            // A switchover's candidate streamed everything the old leader wrote before it stopped
            // cleanly, so only a manual failover is held to maximum_lag_on_failover.
            String refusal = PromotionRule.refusal(self, ctx, req.isFailover() ? PromotionRule.Lag.CHECKED
                    : PromotionRule.Lag.IGNORED);
            if (refusal != null) {
                return Action.of(Kind.NO_ACTION, "no leader: I was asked to take over but may not: " + refusal);
            }
            return Action.of(Kind.ACQUIRE_AND_PROMOTE, "I was named by the " + (req.isFailover() ? "failover" : "switchover"))
                    .with("ttl", cfg.ttlMillis()).with("margin", fenceMargin(cfg));
        }
        if (in.peers() == null) {
            return Action.of(Kind.PROBE_PEERS, null).with("self", self);
        }
        List<Candidate> all = in.peers();
        if (ctx.syncMembers() != null) {
            // A commit acknowledged under ANY q of S is on q members of S: seeing |S| - q + 1 of
            // them is what guarantees that the most advanced one holds it.
            long seen = all.stream().filter(x -> x.reachable() && ctx.syncMembers().contains(x.name())).count();
            long needed = (long) ctx.syncMembers().size() - Math.max(1, c.sync().quorum()) + 1;
            if (seen < needed) {
                return Action.of(Kind.NO_ACTION, "no leader: only " + seen + " of the synchronous set " + ctx.syncMembers()
                        + " answer, " + needed + " needed to be sure no acknowledged commit is lost");
            }
        }
        var ranking = FailoverCandidates.rank(all, ctx);
        if (ranking.eligible().isEmpty()) {
            return Action.of(Kind.NO_ACTION, "no leader and no eligible candidate: " + ranking.refused());
        }
        if (!ranking.isBest(me)) {
            return Action.of(Kind.NO_ACTION, "no leader: " + ranking.eligible().get(0).name()
                    + " is the best candidate, following its lead"
                    + (ranking.refused().containsKey(me) ? " (me: " + ranking.refused().get(me) + ")" : ""));
        }
        Set<String> answered = all.stream().filter(x -> x.reachable() && !x.name().equals(me))
                .map(Candidate::name).collect(Collectors.toSet());
        // The executor appends CatchUp's note ("" when it need not catch up) to this reason.
        return Action.of(Kind.RACE, "I was the best candidate at " + self.lsn() + " among " + ranking.eligible().size())
                .with("self", self).with("ranking", ranking).with("answered", answered)
                .with("ttl", cfg.ttlMillis()).with("margin", fenceMargin(cfg));
    }

    static boolean wasLastLeader(Cluster c, String me) {
        return !c.history().isEmpty() && me.equals(c.history().get(c.history().size() - 1).newLeader());
    }

    static Candidate selfCandidate(Inputs in) {
        PgState state = in.state();
        return new Candidate(in.me(), in.region(), in.tags(), state.running(), state.inRecovery(),
                state.timeline(), Lsn.max(state.receiveLsn(), state.replayLsn()),
                replicating(in.memory(), in.cluster().config(), in.nowNanos()), true);
    }

    /** True when WAL streamed from the leader within the last lease (see {@link Candidate#replicating()}). */
    static boolean replicating(Memory m, DynamicConfig cfg, long nowNanos) {
        // Measured from the moment the leader went missing, not from now: a standby that streamed
        // until the leader died stays a candidate however long the cluster stays leaderless
        // (maintenance mode, an etcd outage), while one that had stopped streaming before does not.
        // Between the last cycle that saw WAL streaming and the first that sees no leader lie: the
        // leader's lease (ttl from its last renewal, itself up to one cycle before it died), etcd's
        // expiry sweep and a slow renewal (bounded by retry_timeout), and one cycle on our side.
        long reference = m.noLeaderSince() == 0 ? nowNanos : m.noLeaderSince();
        return m.lastStreamed() != 0 && reference - m.lastStreamed() < streamingWindowNanos(cfg);
    }

    private static long streamingWindowNanos(DynamicConfig cfg) {
        return TimeUnit.MILLISECONDS.toNanos(cfg.ttlMillis() + 2 * cfg.loopWaitMillis() + cfg.retryTimeoutMillis());
    }

    // ---- replica path --------------------------------------------------------------------------

    private static Action follow(Inputs in) {
        Cluster c = in.cluster();
        PgState state = in.state();
        DynamicConfig cfg = c.config();
        Member leader = c.leaderMember().orElse(null);
        if (leader == null) {
            return Action.of(Kind.NO_ACTION, "leader " + c.leader().name() + " has no member record yet; waiting");
        }
        if (!state.inRecovery()) {
            return Action.of(Kind.DEMOTE, leader.name() + " holds the leader key");
        }
        if (!leader.name().equals(in.memory().following())) {
            return Action.of(Kind.FOLLOW, "now following " + leader.name() + " (" + leader.hostPort() + ")")
                    .with("leader", leader);
        }
        Memory m = in.memory();
        long quietNanos = in.nowNanos() - Math.max(m.lastStreamed(), m.followingSince());
        PgState.WalReceiverError receiver = state.walReceiverError();
        if (!state.streaming() && receiver != null && receiver.connecting()) {
            // It cannot even connect (password, refused, TLS): it learnt nothing about the leader's
            // timeline, and a stop for a divergence check would restart PostgreSQL into the same error.
            return Action.of(Kind.FORGET, "not streaming from " + leader.name() + ": " + receiver + "; replayed "
                    + state.replayLsn() + ", " + c.status().leaderLsn().bytesAfter(state.replayLsn()) + " bytes behind");
        }
        if (!state.streaming() && leader.timeline() > state.timeline()
                && quietNanos > TimeUnit.MILLISECONDS.toNanos(cfg.ttlMillis() + cfg.loopWaitMillis())) {
            if (in.fork() == null) {
                return Action.of(Kind.CHECK_FORK, null).with("leader", leader);
            }
            Lsn fork = in.fork().at();
            if (fork != null && !state.replayLsn().isAfter(fork)) {
                // PostgreSQL already holds the leader's timeline history and has replayed nothing
                // past the fork: it can follow as it is, stopping it would only cost a restart.
                return Action.of(Kind.FORGET, "waiting for the WAL receiver: not streaming from " + leader.name()
                        + " yet; its timeline " + leader.timeline() + " forks from my " + state.timeline() + " at "
                        + fork + ", I replayed " + state.replayLsn() + " (no rewind needed)");
            }
            // Not streaming for a whole lease while the leader is on a newer timeline: our history
            // may have forked. The check needs PostgreSQL stopped; the next cycle rewinds if so.
            return Action.of(Kind.STOP_FOR_FORK_CHECK, "stopped PostgreSQL: not streaming from " + leader.name()
                    + " on timeline " + leader.timeline() + " while I am on " + state.timeline()
                    + "; checking whether my history forked");
        }
        long lag = c.status().leaderLsn().bytesAfter(state.replayLsn());
        return Action.of(Kind.FORGET, "no action: following " + leader.name() + " ("
                + (state.streaming() ? "streaming" : receiver == null ? "not streaming" : "not streaming: " + receiver)
                + ", replayed " + state.replayLsn() + ", "
                + lag + " bytes behind)");
    }

    // ---- PostgreSQL down -----------------------------------------------------------------------

    private static Action recover(Inputs in) {
        Cluster c = in.cluster();
        DynamicConfig cfg = c.config();
        Member leader = c.leaderMember().orElse(null);
        Timers t = in.memory().timers();
        if (c.isLeader(in.me())) {
            if (in.renewed() == null) {
                return renew(cfg);
            }
            if (!in.renewed()) {
                return Action.of(Kind.FORGET, "PostgreSQL is down and I lost the leader key; will rejoin as a standby");
            }
            if (in.postmasterAlive()) {
                // Alive but silent (overload, a long checkpoint): not a crash. Hold the key, but not
                // for ever: a hung primary that keeps its lease would keep the cluster read-only.
                long since = t.notAnsweringSince() == 0 ? in.nowNanos() : t.notAnsweringSince();
                double silent = (in.nowNanos() - since) / 1e9;
                double limit = Math.max(30, 5 * cfg.ttl());
                if (silent > limit) {
                    return Action.of(Kind.STOP_AND_RELEASE, String.format(
                            "stopped PostgreSQL and released the leader key: it has not answered for %.0f s", silent))
                            .timers(0, since);
                }
                return Action.of(Kind.NO_ACTION, String.format(
                        "PostgreSQL primary is not answering though its postmaster lives (%.1f s); holding the key", silent))
                        .timers(0, since);
            }
            long since = t.primaryDownSince() == 0 ? in.nowNanos() : t.primaryDownSince();
            double spent = (in.nowNanos() - since) / 1e9;
            if (spent > cfg.primaryStartTimeout()) {
                return Action.of(Kind.RELEASE, "released the leader key: PostgreSQL did not come back within "
                        + "primary_start_timeout " + cfg.primaryStartTimeout() + " s").timers(since, 0);
            }
            return Action.of(Kind.RESTART_PRIMARY, "restarted the crashed primary in place (crash recovery)")
                    .with("timeout", Math.max(1, cfg.primaryStartTimeout() - spent)).with("spent", spent)
                    .timers(since, 0);
        }
        if (in.postmasterAlive()) {
            return Action.of(Kind.FORGET, "PostgreSQL is starting or not answering yet (postmaster alive); waiting");
        }
        if (leader == null) {
            SwitchoverRequest req = c.switchover();
            if (req != null && req.candidate() != null && !in.me().equals(req.candidate())
                    && in.nowMillis() - req.requestedAt() < 4 * cfg.ttlMillis()) {
                return Action.of(Kind.FORGET, "PostgreSQL is down; waiting for " + req.candidate() + " to take over as requested");
            }
            if (wasLastLeader(c, in.me())) {
                return Action.of(Kind.START_PRIMARY,
                        "started PostgreSQL as primary: no leader, and I was the last one (will race for the key)");
            }
            return Action.of(Kind.FORGET, "PostgreSQL is down and there is no leader to follow; waiting");
        }
        return Action.of(Kind.START_STANDBY, null).with("leader", leader);
    }

    // ---- maintenance, unreadable config, etcd unreachable ----------------------------------------

    private static Action paused(Inputs in) {
        Cluster c = in.cluster();
        if (c.isLeader(in.me())) {
            if (in.renewed() == null) {
                return renew(c.config());
            }
            return in.renewed() ? Action.of(Kind.NO_ACTION, "holding the leader key; no automatic action")
                    : Action.of(Kind.FORGET, "lost the leader key; no automatic action");
        }
        PgState state = in.state();
        return Action.of(Kind.FORGET, state.running()
                ? "no automatic action (" + (state.inRecovery() ? "standby" : "primary") + ")"
                : "PostgreSQL is down; no automatic action");
    }

    /**
     * {@code /config} cannot be decoded and this node never read a valid one: every setting it
     * would act on (paused, synchronous_mode, parameters, ttl) is unknown, so it promotes, demotes
     * and reconfigures nothing. A leader keeps renewing: its PostgreSQL keeps serving as it did.
     */
    private static Action unreadableConfig(Inputs in) {
        Cluster c = in.cluster();
        String why = "configuration in etcd is unreadable and I never read a valid one: ";
        if (c != null && c.isLeader(in.me())) {
            if (in.renewed() == null) {
                return renew(c.config());
            }
            return in.renewed() ? Action.of(Kind.NO_ACTION, why + "holding the leader key; no automatic action")
                    : Action.of(Kind.FORGET, why + "lost the leader key; no automatic action");
        }
        return Action.of(Kind.NO_ACTION, why + "no automatic action");
    }

    private static Action etcdUnreachable(Inputs in) {
        PgState state = in.state();
        Cluster last = in.cluster();
        String prefix = "etcd unreachable (" + in.etcdError() + "): ";
        if (last != null && last.config().failsafeMode() && last.isLeader(in.me())
                && state.running() && !state.inRecovery()) {
            if (in.failsafeAnswers() == null) {
                return Action.of(Kind.ASK_FAILSAFE, null);
            }
            if (in.failsafeAnswers()) {
                return Action.of(Kind.KEEP_PRIMARY, prefix + "failsafe mode, every member answered; keeping the primary")
                        .with("ttl", last.config().ttlMillis()).with("margin", fenceMargin(last.config()));
            }
        }
        if (in.fenceArmed()) {
            // Leadership is the local deadline, not the last read: keep serving writes while the
            // lease we last renewed is certainly ours; the fence stops PostgreSQL at the deadline
            // unless a renewal gets through first. A slow etcd read must not cost a write outage.
            return Action.of(Kind.NO_ACTION, prefix + "still leader for " + in.fenceRemainingMillis()
                    + " ms on the lease already renewed; fenced then unless a renewal succeeds");
        }
        if (state.running() && !state.inRecovery()) {
            return Action.of(Kind.STOP_PRIMARY, prefix + "demoted, a primary must not outlive its lease");
        }
        return Action.of(Kind.NO_ACTION, prefix + "no action as " + (state.running() ? "standby" : "stopped node"));
    }
}
