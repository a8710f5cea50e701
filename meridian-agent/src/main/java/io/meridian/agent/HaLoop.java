package io.meridian.agent;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.ClusterStatus;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.failover.Candidate;
import io.meridian.core.failover.FailoverCandidates;
import io.meridian.core.failover.FailoverContext;
import io.meridian.core.postgres.PgState;
import io.meridian.core.postgres.PostgresController;
import io.meridian.core.postgres.PostgresException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HA cycle, read top to bottom: load the cluster, look at PostgreSQL, do at most one thing,
 * and say why. The returned sentence is the log line and what tests assert on.
 *
 * <p>Only this class's thread drives PostgreSQL, except the fence (see {@link LeaderDeadline}),
 * which may stop it immediately from the watchdog thread.
 */
final class HaLoop {

    private static final Logger LOG = LoggerFactory.getLogger(HaLoop.class);

    private final NodeConfig node;
    private final Dcs dcs;
    private final PostgresController pg;
    private final LeaderDeadline deadline;
    private final PeerProbe peers;
    private final OperatorTasks tasks;
    private final SlotKeeper slots;
    private final SyncKeeper sync;
    private final Failsafe failsafe;
    private final CatchUp catchUp;
    private final RouterWait routerWait;
    private final EtcdLeaderPlacement etcdPlacement;
    private final Listener listener;

    /** Hooks for metrics and the REST API. */
    interface Listener {
        void cycle(Cluster cluster, PgState state, String reason);

        void promoted(String why);
    }

    // Local memory between cycles; never shared with other threads except through volatile reads.
    private volatile Cluster lastCluster;
    private volatile PgState lastState = PgState.STOPPED;
    private long lastStreamedNanos;
    private long noLeaderSinceNanos;
    private long primaryDownSinceNanos;
    private long notAnsweringSinceNanos;
    private String following;
    /** When we last pointed PostgreSQL at a (new) leader: a standby gets a lease's time to catch its timeline. */
    private long followingSinceNanos;
    private boolean wasLeader;
    /** Our latest promotion while {@code /history} does not hold it yet. */
    private TimelineEvent unrecorded;

    HaLoop(NodeConfig node, Dcs dcs, PostgresController pg, LeaderDeadline deadline, PeerProbe peers,
           OperatorTasks tasks, Listener listener) {
        this.node = node;
        this.dcs = dcs;
        this.pg = pg;
        this.deadline = deadline;
        this.peers = peers;
        this.tasks = tasks;
        this.slots = new SlotKeeper(node.name());
        this.sync = new SyncKeeper(node);
        this.failsafe = new Failsafe(node);
        this.catchUp = new CatchUp(pg, System::nanoTime);
        this.routerWait = new RouterWait(dcs, node.name());
        this.etcdPlacement = new EtcdLeaderPlacement(node.region(), System::nanoTime);
        this.listener = listener;
    }

    /** A failsafe ping from the leader reached our REST API. */
    void failsafePing(String leader) {
        failsafe.heard(leader);
    }

    Cluster lastCluster() {
        return lastCluster;
    }

    PgState lastState() {
        return lastState;
    }

    /** True when WAL streamed from the leader within the last lease (see {@link Candidate#replicating()}). */
    boolean replicating(DynamicConfig cfg) {
        // Measured from the moment the leader went missing, not from now: a standby that streamed
        // until the leader died stays a candidate however long the cluster stays leaderless
        // (maintenance mode, an etcd outage), while one that had stopped streaming before does not.
        // Between the last cycle that saw WAL streaming and the first that sees no leader lie: the
        // leader's lease (ttl from its last renewal, itself up to one cycle before it died), etcd's
        // expiry sweep and a slow renewal (bounded by retry_timeout), and one cycle on our side.
        long reference = noLeaderSinceNanos == 0 ? System.nanoTime() : noLeaderSinceNanos;
        return lastStreamedNanos != 0
                && reference - lastStreamedNanos < streamingWindowNanos(cfg);
    }

    private static long streamingWindowNanos(DynamicConfig cfg) {
        return TimeUnit.MILLISECONDS.toNanos(cfg.ttlMillis() + 2 * cfg.loopWaitMillis() + cfg.retryTimeoutMillis());
    }

    private void noteStreaming(PgState s) {
        if (s.running() && s.inRecovery() && s.streaming()) {
            lastStreamedNanos = System.nanoTime();
        }
    }

    String runCycle() {
        Cluster c;
        try {
            c = dcs.load();
        } catch (DcsException e) {
            return etcdUnreachable(e);
        }
        lastCluster = c;
        // Before acting: a promotion not yet in the history is recorded even if we no longer lead.
        recordPromotion();
        if (c.hasLeader()) {
            noLeaderSinceNanos = 0;
        } else if (noLeaderSinceNanos == 0) {
            noLeaderSinceNanos = System.nanoTime();
        }
        PgState state = pg.observe();
        lastState = state;
        noteStreaming(state);
        String reason;
        try {
            reason = decideAndAct(c, state);
        } catch (DcsException e) {
            reason = etcdUnreachable(e);
        } catch (PostgresException e) {
            reason = "PostgreSQL action failed: " + e.getMessage();
        }
        catchUp.endCycle();
        if (c.config().paused()) {
            reason = "PAUSE: " + reason;
        }
        PgState after = pg.observe();
        lastState = after;
        noteStreaming(after);
        try {
            dcs.touchMember(MemberRecord.of(node, after, replicating(c.config()), dcs.etcdMember()));
            // The member key shares the leader key's lease: a successful touch pushes the fence
            // deadline too, so a slow cycle on a loaded machine does not fence a healthy leader.
            if (deadline.armed()) {
                deadline.leaseRenewed(dcs.leaseRenewal(), fenceMargin(c.config()));
            }
        } catch (DcsException e) {
            LOG.warn("could not publish member record: {}", e.getMessage());
        }
        listener.cycle(c, after, reason);
        return reason;
    }

    private String decideAndAct(Cluster c, PgState state) throws DcsException, PostgresException {
        DynamicConfig cfg = c.config();
        OperatorTasks.Task task = tasks.poll();
        if (task != null) {
            return operatorTask(task, c, state);
        }
        if (!pg.hasData()) {
            return Bootstrap.run(node, dcs, pg, c, this::clusterParameters);
        }
        if (c.isInitialized() && state.running() && state.systemId() != null && !c.systemId().equals(state.systemId())) {
            return "refusing to act: data directory has system id " + state.systemId() + " but cluster "
                    + c.name() + " is " + c.systemId();
        }
        if (cfg.paused()) {
            return paused(c, state);
        }
        if (!state.running()) {
            return recover(c, cfg);
        }
        primaryDownSinceNanos = 0;
        notAnsweringSinceNanos = 0;
        if (c.isLeader(node.name())) {
            return lead(c, state, cfg);
        }
        if (!c.hasLeader()) {
            return race(c, state, cfg);
        }
        return follow(c, state, cfg);
    }

    // ---- leader path -------------------------------------------------------------------------

    private String lead(Cluster c, PgState state, DynamicConfig cfg) throws DcsException, PostgresException {
        if (!renewLease(cfg)) {
            return demote("lost the leader key (lease expired or taken)", true);
        }
        wasLeader = true;
        if (state.inRecovery()) {
            return promote(c, "I hold the leader key but was still a standby", null);
        }
        dcs.writeStatus(new ClusterStatus(state.writeLsn(), state.timeline(), slots.restartLsns(state)));
        slots.sync(c, state, cfg, pg);
        String syncChange = sync.apply(c, state, cfg, dcs, pg);
        if (syncChange != null) {
            return syncChange;
        }
        SwitchoverRequest req = c.switchover();
        if (req != null && node.name().equals(req.candidate()) && !node.name().equals(req.leader())) {
            // Left over from our own promotion (etcd did not answer the clear in time), or asking
            // for what is already true: either way it names the leader as its candidate.
            dcs.clearSwitchover(c.switchoverVersion());
            return "cleared a switchover request naming me as candidate: I am the leader already";
        }
        if (req != null && (req.isFailover() || node.name().equals(req.leader()))) {
            return Switchover.stepDown(c, req, state, node, dcs, pg, peers, this::disarmAndForget);
        }
        String moved = etcdPlacement.maybeMove(dcs, c, cfg);
        if (moved != null) {
            return moved;
        }
        return "no action: I am the leader with the lease (" + state.writeLsn() + ", timeline " + state.timeline() + ")";
    }

    private String promote(Cluster c, String why, java.util.Set<String> answered) throws DcsException, PostgresException {
        // With router_wait_timeout set, routers first move their writes here (see RouterWait).
        RouterWait.Outcome routers = routerWait.beforePromotion(c, () -> renewLease(c.config()));
        if (routers.verdict() != RouterWait.Verdict.PROMOTE) {
            if (routers.verdict() == RouterWait.Verdict.LOST_KEY) {
                disarmAndForget();
            }
            return routers.sentence();
        }
        sync.promoted(answered);
        if (!"off".equals(c.config().synchronousMode())) {
            // Set before promoting: a standby ignores synchronous_standby_names, and the primary it
            // becomes then never acknowledges a commit without one of the standbys it expects back.
            try {
                sync.apply(c, pg.observe(), c.config(), dcs, pg);
            } catch (DcsException | PostgresException e) {
                LOG.warn("could not set the synchronous standbys before promoting: {}", e.getMessage());
            }
        }
        pg.promote(30);
        // The history says when we began to take writes, not when etcd took the record.
        long promotedAtMillis = System.currentTimeMillis();
        PgState now = pg.observe();
        lastState = now;
        try {
            // The standbys re-point at us as soon as they see the key, each through its own slot:
            // create the slots now rather than a cycle later, or their WAL receivers are refused
            // and wait out wal_retrieve_retry_interval before they try again.
            slots.sync(c, now, c.config(), pg);
        } catch (PostgresException e) {
            LOG.warn("could not create the standbys' slots after promoting: {}", e.getMessage());
        }
        String reason = c.switchover() != null ? (c.switchover().isFailover() ? "manual failover" : "switchover") : "failover";
        String oldLeader = c.history().isEmpty() ? null : c.history().get(c.history().size() - 1).newLeader();
        unrecorded = new TimelineEvent(now.timeline(), now.writeLsn(), reason, promotedAtMillis,
                node.name(), oldLeader, node.region());
        recordPromotion();
        if (c.switchover() != null) {
            try {
                dcs.clearSwitchover(0);
            } catch (DcsException e) {
                // Cleared on a later cycle by lead(): the request names us as its candidate.
                LOG.warn("could not clear the switchover request after promoting: {}", e.getMessage());
            }
        }
        try {
            pg.checkpoint();
        } catch (PostgresException e) {
            LOG.warn("checkpoint after promotion failed: {}", e.getMessage());
        }
        following = null;
        listener.promoted(reason);
        return "promoted to leader on timeline " + now.timeline() + ": " + why
                + (routers.sentence() == null ? "" : "; " + routers.sentence());
    }

    /**
     * Appends our promotion to {@code /history}, or keeps it for the next cycle. PostgreSQL has
     * already promoted: a slow etcd must not abort the rest of the promotion, and the record, with
     * the promotion's own time, must still land, since who led when is read from it (the drills'
     * split-brain count, {@code meridian history}).
     */
    private void recordPromotion() {
        TimelineEvent event = unrecorded;
        if (event == null) {
            return;
        }
        try {
            dcs.appendHistory(event);
            unrecorded = null;
        } catch (DcsException e) {
            LOG.warn("could not record the promotion to timeline {} in the history yet ({}); retrying next cycle",
                    event.timeline(), e.getMessage());
        }
    }

    /** Renews the leader key and moves the fence deadline; false when the key is no longer ours. */
    private boolean renewLease(DynamicConfig cfg) throws DcsException {
        if (!dcs.renewLeader(node.name())) {
            return false;
        }
        deadline.renewed(dcs.leaseRenewal(), fenceMargin(cfg));
        return true;
    }

    // ---- no leader: the race -------------------------------------------------------------------

    private String race(Cluster c, PgState state, DynamicConfig cfg) throws DcsException, PostgresException {
        if (!state.inRecovery()) {
            // A primary without the key: we led before etcd lost our lease, or we restarted after a crash.
            if (wasLastLeader(c) && state.timeline() >= c.status().timeline()) {
                if (dcs.acquireLeader(node.name())) {
                    deadline.renewed(dcs.leaseRenewal(), fenceMargin(cfg));
                    wasLeader = true;
                    return "took the leader key: I was the last leader and nobody else holds it";
                }
                return "lost the leader key race while running as primary";
            }
            return demote("running as primary without the leader key, and I was not the last leader", true);
        }
        String pinged = cfg.failsafeMode() ? failsafe.recentLeader(cfg.ttlMillis()) : null;
        if (pinged != null && !pinged.equals(node.name())) {
            return "no leader key, but " + pinged + " answered as leader in failsafe mode within ttl; not racing";
        }
        SwitchoverRequest req = c.switchover();
        Candidate self = selfCandidate(state, cfg);
        FailoverContext ctx = failoverContext(c);
        if (req != null && req.candidate() != null && !req.candidate().isEmpty()
                && System.currentTimeMillis() - req.requestedAt() < 4 * cfg.ttlMillis()) {
            if (!req.candidate().equals(node.name())) {
                return "no leader: waiting for " + req.candidate() + " to take over as requested";
            }
            String refusal = FailoverCandidates.rank(java.util.List.of(self), ctx).refused().get(node.name());
            if (refusal != null && !(refusal.contains("maximum_lag") && !req.isFailover())) {
                return "no leader: I was asked to take over but may not: " + refusal;
            }
            return acquireAndPromote(c, cfg, "I was named by the " + (req.isFailover() ? "failover" : "switchover"), null);
        }
        java.util.List<Candidate> all = peers.candidates(c, node.name(), self);
        if (ctx.syncMembers() != null) {
            // A commit acknowledged under ANY q of S is on q members of S: seeing |S| - q + 1 of
            // them is what guarantees that the most advanced one holds it.
            long seen = all.stream().filter(x -> x.reachable() && ctx.syncMembers().contains(x.name())).count();
            long needed = (long) ctx.syncMembers().size() - Math.max(1, c.sync().quorum()) + 1;
            if (seen < needed) {
                return "no leader: only " + seen + " of the synchronous set " + ctx.syncMembers() + " answer, "
                        + needed + " needed to be sure no acknowledged commit is lost";
            }
        }
        var ranking = FailoverCandidates.rank(all, ctx);
        if (ranking.eligible().isEmpty()) {
            return "no leader and no eligible candidate: " + ranking.refused();
        }
        if (!ranking.isBest(node.name())) {
            return "no leader: " + ranking.eligible().get(0).name() + " is the best candidate, following its lead"
                    + (ranking.refused().containsKey(node.name()) ? " (me: " + ranking.refused().get(node.name()) + ")" : "");
        }
        // Preferred but behind the most advanced candidate: stream what we lack from it first.
        CatchUp.Step step = catchUp.step(c, self, ranking, cfg);
        if (!step.promote()) {
            following = null; // we stream from a standby now: whoever leads next, re-point at it
            return step.note();
        }
        java.util.Set<String> answered = all.stream().filter(x -> x.reachable() && !x.name().equals(node.name()))
                .map(x -> x.name()).collect(java.util.stream.Collectors.toSet());
        return acquireAndPromote(c, cfg, "I was the best candidate at " + self.lsn() + " among "
                + ranking.eligible().size() + step.note(), answered);
    }

    /** @param answered standbys that answered the race, or null when no race was run (see {@link SyncKeeper#promoted}) */
    private String acquireAndPromote(Cluster c, DynamicConfig cfg, String why, java.util.Set<String> answered)
            throws DcsException, PostgresException {
        if (!dcs.acquireLeader(node.name())) {
            return "lost the leader race to another node";
        }
        deadline.renewed(dcs.leaseRenewal(), fenceMargin(cfg));
        wasLeader = true;
        return promote(c, why, answered);
    }

    /**
     * How long before the lease could expire the fence fires: time for the stop signal to reach
     * PostgreSQL on a loaded machine, and for the etcd leader's clock to run a little fast.
     */
    static long fenceMargin(DynamicConfig cfg) {
        return Math.min(cfg.ttlMillis() / 4, Math.max(1000, cfg.loopWaitMillis() / 2 + 200));
    }

    Candidate selfCandidate(PgState state, DynamicConfig cfg) {
        return new Candidate(node.name(), node.region(), node.tags(), state.running(), state.inRecovery(),
                state.timeline(), Lsn.max(state.receiveLsn(), state.replayLsn()), replicating(cfg), true);
    }

    private FailoverContext failoverContext(Cluster c) {
        DynamicConfig cfg = c.config();
        String lostRegion = c.history().isEmpty() ? null : c.history().get(c.history().size() - 1).region();
        // An empty /sync means the leader had fallen back to async: no set to honour.
        Set<String> sync = "off".equals(cfg.synchronousMode()) || c.sync().members().isEmpty()
                ? null : new HashSet<>(c.sync().members());
        long timeline = c.status().timeline() > 0 ? c.status().timeline() : c.lastTimeline();
        return new FailoverContext(c.status().leaderLsn(), timeline, cfg.maximumLagOnFailover(),
                cfg.lagTolerance(), lostRegion, cfg.regionPriority(), sync);
    }

    private boolean wasLastLeader(Cluster c) {
        return !c.history().isEmpty() && node.name().equals(c.history().get(c.history().size() - 1).newLeader());
    }

    // ---- replica path --------------------------------------------------------------------------

    private String follow(Cluster c, PgState state, DynamicConfig cfg) throws DcsException, PostgresException {
        Member leader = c.leaderMember().orElse(null);
        if (leader == null) {
            return "leader " + c.leader().name() + " has no member record yet; waiting";
        }
        if (!state.inRecovery()) {
            return demote(leader.name() + " holds the leader key", true);
        }
        disarmAndForget();
        String slot = PostgresController.slotName(node.name());
        if (!leader.name().equals(following)) {
            pg.follow(leader, slot, clusterParameters(c));
            following = leader.name();
            followingSinceNanos = System.nanoTime();
            return "now following " + leader.name() + " (" + leader.hostPort() + ")";
        }
        long quietNanos = System.nanoTime() - Math.max(lastStreamedNanos, followingSinceNanos);
        if (!state.streaming() && leader.timeline() > state.timeline()
                && quietNanos > TimeUnit.MILLISECONDS.toNanos(cfg.ttlMillis() + cfg.loopWaitMillis())) {
            Lsn fork = pg.forkPoint(leader.timeline(), state.timeline());
            if (fork != null && !state.replayLsn().isAfter(fork)) {
                // PostgreSQL already holds the leader's timeline history and has replayed nothing
                // past the fork: it can follow as it is, stopping it would only cost a restart.
                return "waiting for the WAL receiver: not streaming from " + leader.name() + " yet; its timeline "
                        + leader.timeline() + " forks from my " + state.timeline() + " at " + fork + ", I replayed "
                        + state.replayLsn() + " (no rewind needed)";
            }
            // Not streaming for a whole lease while the leader is on a newer timeline: our history
            // may have forked. The check needs PostgreSQL stopped; the next cycle rewinds if so.
            pg.stop("fast", 60);
            return "stopped PostgreSQL: not streaming from " + leader.name() + " on timeline " + leader.timeline()
                    + " while I am on " + state.timeline() + "; checking whether my history forked";
        }
        long lag = c.status().leaderLsn().bytesAfter(state.replayLsn());
        return "no action: following " + leader.name() + " (" + (state.streaming() ? "streaming" : "not streaming")
                + ", replayed " + state.replayLsn() + ", " + lag + " bytes behind)";
    }

    /** Steps down: stops PostgreSQL and gives up the key; the next cycles start it as a standby. */
    private String demote(String why, boolean immediate) throws DcsException, PostgresException {
        disarmAndForget();
        pg.stop(immediate ? "immediate" : "fast", 30);
        try {
            dcs.releaseLeader(node.name());
        } catch (DcsException e) {
            LOG.warn("could not release the leader key after demoting: {}", e.getMessage());
        }
        following = null;
        return "demoted (stopped PostgreSQL): " + why;
    }

    private void disarmAndForget() {
        deadline.disarm();
        wasLeader = false;
    }

    // ---- PostgreSQL down -----------------------------------------------------------------------

    private String recover(Cluster c, DynamicConfig cfg) throws DcsException, PostgresException {
        Member leader = c.leaderMember().orElse(null);
        boolean postmasterAlive = pg.postmasterPid() > 0;
        if (c.isLeader(node.name())) {
            if (!dcs.renewLeader(node.name())) {
                disarmAndForget();
                return "PostgreSQL is down and I lost the leader key; will rejoin as a standby";
            }
            deadline.renewed(dcs.leaseRenewal(), fenceMargin(cfg));
            if (postmasterAlive) {
                // Alive but silent (overload, a long checkpoint): not a crash. Hold the key, but not
                // for ever: a hung primary that keeps its lease would keep the cluster read-only.
                primaryDownSinceNanos = 0;
                if (notAnsweringSinceNanos == 0) {
                    notAnsweringSinceNanos = System.nanoTime();
                }
                double silent = (System.nanoTime() - notAnsweringSinceNanos) / 1e9;
                double limit = Math.max(30, 5 * cfg.ttl());
                if (silent > limit) {
                    disarmAndForget();
                    pg.stop("immediate", 30);
                    dcs.releaseLeader(node.name());
                    notAnsweringSinceNanos = 0;
                    return String.format("stopped PostgreSQL and released the leader key: it has not answered for %.0f s", silent);
                }
                return String.format("PostgreSQL primary is not answering though its postmaster lives (%.1f s); holding the key", silent);
            }
            notAnsweringSinceNanos = 0;
            if (primaryDownSinceNanos == 0) {
                primaryDownSinceNanos = System.nanoTime();
            }
            double spent = (System.nanoTime() - primaryDownSinceNanos) / 1e9;
            if (spent > cfg.primaryStartTimeout()) {
                disarmAndForget();
                dcs.releaseLeader(node.name());
                primaryDownSinceNanos = 0;
                return "released the leader key: PostgreSQL did not come back within primary_start_timeout "
                        + cfg.primaryStartTimeout() + " s";
            }
            try {
                pg.start(null, null, clusterParameters(c), Math.max(1, cfg.primaryStartTimeout() - spent));
            } catch (PostgresException e) {
                return "PostgreSQL primary is down; restart attempt failed after " + String.format("%.1f", spent)
                        + " s: " + e.getMessage();
            }
            primaryDownSinceNanos = 0;
            return "restarted the crashed primary in place (crash recovery)";
        }
        disarmAndForget();
        if (postmasterAlive) {
            return "PostgreSQL is starting or not answering yet (postmaster alive); waiting";
        }
        if (leader == null) {
            SwitchoverRequest req = c.switchover();
            if (req != null && req.candidate() != null && !node.name().equals(req.candidate())
                    && System.currentTimeMillis() - req.requestedAt() < 4 * cfg.ttlMillis()) {
                return "PostgreSQL is down; waiting for " + req.candidate() + " to take over as requested";
            }
            if (wasLastLeader(c)) {
                pg.start(null, null, clusterParameters(c), 60);
                return "started PostgreSQL as primary: no leader, and I was the last one (will race for the key)";
            }
            return "PostgreSQL is down and there is no leader to follow; waiting";
        }
        String slot = PostgresController.slotName(node.name());
        String done;
        if (pg.divergedFrom(leader)) {
            done = Rejoin.run(dcs, node, Bootstrap.heartbeat(c), pg, leader, slot, clusterParameters(c),
                    "my history forked from leader " + leader.name());
        } else {
            pg.start(leader, slot, clusterParameters(c), 60);
            done = "started PostgreSQL as a standby of " + leader.name();
        }
        // Either way PostgreSQL now follows the leader afresh: it gets a lease's time to stream.
        following = leader.name();
        followingSinceNanos = System.nanoTime();
        return done;
    }

    // ---- maintenance and operator actions -------------------------------------------------------

    private String paused(Cluster c, PgState state) throws DcsException {
        if (c.isLeader(node.name())) {
            if (dcs.renewLeader(node.name())) {
                deadline.renewed(dcs.leaseRenewal(), fenceMargin(c.config()));
                return "holding the leader key; no automatic action";
            }
            disarmAndForget();
            return "lost the leader key; no automatic action";
        }
        disarmAndForget();
        return state.running() ? "no automatic action (" + (state.inRecovery() ? "standby" : "primary") + ")"
                : "PostgreSQL is down; no automatic action";
    }

    private String operatorTask(OperatorTasks.Task task, Cluster c, PgState state) {
        try {
            String done = switch (task.kind()) {
                case RESTART -> {
                    boolean leader = c.isLeader(node.name());
                    pg.stop("fast", 60);
                    Member lm = leader ? null : c.leaderMember().orElse(null);
                    pg.start(lm, lm == null ? null : PostgresController.slotName(node.name()), clusterParameters(c), 60);
                    yield "restarted PostgreSQL on operator request";
                }
                case RELOAD -> {
                    pg.reload(clusterParameters(c));
                    yield "reloaded PostgreSQL configuration on operator request";
                }
                case REINITIALIZE -> {
                    if (c.isLeader(node.name())) {
                        throw new IllegalStateException("I am the leader: reinitialize a replica instead");
                    }
                    Member lm = c.leaderMember().orElseThrow(() -> new IllegalStateException("no leader to clone from"));
                    pg.stop("immediate", 30);
                    pg.wipe();
                    String slot = PostgresController.slotName(node.name());
                    MembershipKeeper.during(dcs, () -> Bootstrap.placeholder(node, "reinitializing"), Bootstrap.heartbeat(c), () -> {
                        pg.basebackup(lm, slot, line -> LOG.info("reinitialize: {}", line));
                        pg.start(lm, slot, clusterParameters(c), 120);
                        return null;
                    });
                    following = lm.name();
                    yield "reinitialized from " + lm.name() + " on operator request";
                }
            };
            task.result().complete(done);
            return done;
        } catch (Exception e) {
            task.result().completeExceptionally(e);
            return "operator " + task.kind().name().toLowerCase() + " failed: " + e.getMessage();
        }
    }

    private java.util.Map<String, String> clusterParameters(Cluster c) {
        return c.config().parameters();
    }

    // ---- etcd unreachable -------------------------------------------------------------------------

    private String etcdUnreachable(DcsException e) {
        PgState state = pg.observe();
        lastState = state;
        Cluster last = lastCluster;
        if (last != null && last.config().failsafeMode() && last.isLeader(node.name())
                && state.running() && !state.inRecovery() && failsafe.everyMemberAnswers(last)) {
            deadline.failsafe(last.config().ttlMillis(), fenceMargin(last.config()));
            return "etcd unreachable (" + e.getMessage() + "): failsafe mode, every member answered; keeping the primary";
        }
        if (deadline.armed()) {
            // Leadership is the local deadline, not the last read: keep serving writes while the
            // lease we last renewed is certainly ours; the fence stops PostgreSQL at the deadline
            // unless a renewal gets through first. A slow etcd read must not cost a write outage.
            return "etcd unreachable (" + e.getMessage() + "): still leader for " + deadline.remainingMillis()
                    + " ms on the lease already renewed; fenced then unless a renewal succeeds";
        }
        if (state.running() && !state.inRecovery()) {
            deadline.disarm();
            try {
                pg.stop("immediate", 30);
            } catch (PostgresException pe) {
                LOG.error("could not stop PostgreSQL after losing etcd: {}", pe.getMessage());
            }
            following = null;
            return "etcd unreachable (" + e.getMessage() + "): demoted, a primary must not outlive its lease";
        }
        return "etcd unreachable (" + e.getMessage() + "): no action as " + (state.running() ? "standby" : "stopped node");
    }
}
