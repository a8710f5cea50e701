package io.meridian.agent;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.ClusterStatus;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.failover.Candidate;
import io.meridian.core.failover.FailoverCandidates;
import io.meridian.core.postgres.PgState;
import io.meridian.core.postgres.PostgresController;
import io.meridian.core.postgres.PostgresException;
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

    private volatile NodeConfig node; // tags and REST credentials change on SIGHUP (NodeConfigReload)
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
    /** This node read a decodable {@code /config} at least once. */
    private boolean hadValidConfig;
    /** Our latest promotion while {@code /history} does not hold it yet. */
    private TimelineEvent unrecorded;

    /** The node file re-read on SIGHUP, with only its live keys changed: the next cycle ranks and publishes its tags. */
    void nodeConfig(NodeConfig next) {
        this.node = next;
        failsafe.nodeConfig(next);
    }

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
        return HaDecision.replicating(memory(), cfg, System.nanoTime());
    }

    private HaDecision.Memory memory() {
        return new HaDecision.Memory(following, lastStreamedNanos, followingSinceNanos, noLeaderSinceNanos,
                new HaDecision.Timers(primaryDownSinceNanos, notAnsweringSinceNanos));
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
                deadline.leaseRenewed(dcs.leaseRenewal(), HaDecision.fenceMargin(c.config()));
            }
        } catch (DcsException e) {
            LOG.warn("could not publish member record: {}", e.getMessage());
        }
        listener.cycle(c, after, reason);
        return reason;
    }

    /**
     * Gathers what the decision needs, asks {@link HaDecision} what to do (performing the steps it
     * asks for: a renewal, a probe of the peers, the fork check) and does it.
     */
    private String decideAndAct(Cluster c, PgState state) throws DcsException, PostgresException {
        OperatorTasks.Task task = tasks.poll();
        HaDecision.Inputs in = inputs(c, null, state, task != null);
        HaDecision.Action a = HaDecision.decide(in);
        if (task != null && a.kind() != HaDecision.Kind.OPERATOR_TASK) {
            // Held back (an unreadable /config): the caller hears so now, not at its own timeout.
            task.result().completeExceptionally(new IllegalStateException(
                    "not run: the configuration in etcd is unreadable and this node never read a valid one"));
        }
        while (a.kind().isStep()) {
            in = step(a, in, c, state);
            a = HaDecision.decide(in);
        }
        if (a.timers() != null) {
            primaryDownSinceNanos = a.timers().primaryDownSince();
            notAnsweringSinceNanos = a.timers().notAnsweringSince();
        }
        return act(a, c, state, task);
    }

    private HaDecision.Inputs inputs(Cluster c, String etcdError, PgState state, boolean taskPending) {
        boolean valid = configValid(c);
        // The etcd client keeps the last /config that decoded (see ConfigMemory): a value it holds counts too.
        hadValidConfig |= valid || (c != null && c.configValidVersion() > 0);
        boolean inData = etcdError == null && pg.hasData();
        String pinged = c != null && c.config().failsafeMode() ? failsafe.recentLeader(c.config().ttlMillis()) : null;
        return new HaDecision.Inputs(node.name(), node.region(), node.tags(), c, etcdError, valid, hadValidConfig,
                taskPending, inData, state, !state.running() && pg.postmasterPid() > 0, memory(), System.nanoTime(),
                System.currentTimeMillis(), deadline.armed(), deadline.remainingMillis(), pinged,
                null, null, null, null);
    }

    /** Whether this cycle's {@code /config} decoded; no record (etcd unreachable) says nothing against it. */
    private static boolean configValid(Cluster c) {
        return c == null || c.configValid();
    }

    /**
     * Our own position read again once every peer has answered. While the lost leader's WAL still
     * flows (a primary whose agent froze streams until the fence stops it), positions sampled at
     * different instants move: two standbys that each read themselves before their peer would each
     * find the other ahead and both wait. Read last, a standby is never behind a peer through the
     * order of sampling alone; if both then race, etcd's atomic create still elects exactly one.
     */
    private java.util.List<Candidate> sampledAfter(java.util.List<Candidate> all, Candidate self) {
        PgState now = pg.observe();
        if (!now.running() || !now.inRecovery() || now.timeline() != self.timeline()) {
            return all;
        }
        io.meridian.core.cluster.Lsn lsn = io.meridian.core.cluster.Lsn.max(self.lsn(),
                io.meridian.core.cluster.Lsn.max(now.receiveLsn(), now.replayLsn()));
        Candidate fresh = new Candidate(self.name(), self.region(), self.tags(), self.running(), self.inRecovery(),
                self.timeline(), lsn, self.replicating(), self.reachable());
        return all.stream().map(x -> x.name().equals(self.name()) ? fresh : x).toList();
    }

    /** Performs a step the decision asked for and hands it the outcome. */
    private HaDecision.Inputs step(HaDecision.Action a, HaDecision.Inputs in, Cluster c, PgState state)
            throws DcsException {
        return switch (a.kind()) {
            case RENEW -> in.renewed(renewLease(c.config()));
            case PROBE_PEERS -> in.peers(sampledAfter(peers.candidates(c, node.name(), a.param("self")), a.param("self")));
            case CHECK_FORK -> {
                Member leader = a.param("leader");
                yield in.fork(new HaDecision.Fork(pg.forkPoint(leader.timeline(), state.timeline())));
            }
            default -> throw new IllegalStateException("not a step: " + a.kind());
        };
    }

    private String act(HaDecision.Action a, Cluster c, PgState state, OperatorTasks.Task task)
            throws DcsException, PostgresException {
        DynamicConfig cfg = c.config();
        return switch (a.kind()) {
            case OPERATOR_TASK -> operatorTask(task, c, state);
            case BOOTSTRAP -> Bootstrap.run(node, dcs, pg, c, this::clusterParameters);
            case NO_ACTION -> a.reason();
            case FORGET -> {
                disarmAndForget();
                yield a.reason();
            }
            case DEMOTE -> demote(a.reason(), true);
            case PROMOTE -> {
                wasLeader = true;
                yield promote(c, a.reason(), null);
            }
            case LEAD, CLEAR_SWITCHOVER, STEP_DOWN -> lead(c, state, cfg, a);
            case TAKE_KEY -> takeKey(cfg, a.reason());
            case ACQUIRE_AND_PROMOTE -> acquireAndPromote(c, cfg, a.reason(), null);
            case RACE -> race(c, cfg, a);
            case FOLLOW -> follow(c, a.param("leader"), a.reason());
            case STOP_FOR_FORK_CHECK -> {
                disarmAndForget();
                pg.stop("fast", 60);
                yield a.reason();
            }
            case RESTART_PRIMARY, RELEASE, STOP_AND_RELEASE -> recoverPrimary(c, a);
            case START_PRIMARY, START_STANDBY -> recoverStandby(c, a);
            case KEEP_PRIMARY, STOP_PRIMARY, RENEW, ASK_FAILSAFE, PROBE_PEERS, CHECK_FORK ->
                    throw new IllegalStateException("not an action of a cycle that read etcd: " + a.kind());
        };
    }

    // ---- leader path -------------------------------------------------------------------------

    /** The lease is renewed (see {@link HaDecision}): publish, keep slots and sync set, then act on a request. */
    private String lead(Cluster c, PgState state, DynamicConfig cfg, HaDecision.Action a) throws DcsException, PostgresException {
        wasLeader = true;
        dcs.writeStatus(new ClusterStatus(state.writeLsn(), state.timeline(), slots.restartLsns(state)));
        slots.sync(c, state, cfg, pg);
        String syncChange = sync.apply(c, state, cfg, dcs, pg);
        if (syncChange != null) {
            return syncChange;
        }
        SwitchoverRequest req = c.switchover();
        if (a.kind() == HaDecision.Kind.CLEAR_SWITCHOVER) {
            dcs.clearSwitchover(c.switchoverVersion());
            return a.reason();
        }
        if (a.kind() == HaDecision.Kind.STEP_DOWN) {
            return Switchover.stepDown(c, req, state, node, dcs, pg, peers, this::disarmAndForget);
        }
        String moved = etcdPlacement.maybeMove(dcs, c, cfg);
        if (moved != null) {
            return moved;
        }
        return a.reason();
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
        deadline.renewed(dcs.leaseRenewal(), HaDecision.fenceMargin(cfg));
        return true;
    }

    // ---- no leader: the race -------------------------------------------------------------------

    /** A primary without the key that was the last leader takes the key back. */
    private String takeKey(DynamicConfig cfg, String took) throws DcsException {
        if (dcs.acquireLeader(node.name())) {
            deadline.renewed(dcs.leaseRenewal(), HaDecision.fenceMargin(cfg));
            wasLeader = true;
            return took;
        }
        return "lost the leader key race while running as primary";
    }

    /** This node ranks first among the candidates (see {@link HaDecision}). */
    private String race(Cluster c, DynamicConfig cfg, HaDecision.Action a) throws DcsException, PostgresException {
        Candidate self = a.param("self");
        FailoverCandidates.Ranking ranking = a.param("ranking");
        // Preferred but behind the most advanced candidate: stream what we lack from it first.
        CatchUp.Step step = catchUp.step(c, self, ranking, cfg);
        if (!step.promote()) {
            following = null; // we stream from a standby now: whoever leads next, re-point at it
            return step.note();
        }
        return acquireAndPromote(c, cfg, a.reason() + step.note(), a.param("answered"));
    }

    /** @param answered standbys that answered the race, or null when no race was run (see {@link SyncKeeper#promoted}) */
    private String acquireAndPromote(Cluster c, DynamicConfig cfg, String why, java.util.Set<String> answered)
            throws DcsException, PostgresException {
        if (!dcs.acquireLeader(node.name())) {
            return "lost the leader race to another node";
        }
        deadline.renewed(dcs.leaseRenewal(), HaDecision.fenceMargin(cfg));
        wasLeader = true;
        return promote(c, why, answered);
    }


    // ---- replica path --------------------------------------------------------------------------

    private String follow(Cluster c, Member leader, String reason) throws PostgresException {
        disarmAndForget();
        String slot = PostgresController.slotName(node.name());
        pg.follow(leader, slot, clusterParameters(c));
        following = leader.name();
        followingSinceNanos = System.nanoTime();
        return reason;
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

    /** The leader's PostgreSQL is down and the lease is renewed (see {@link HaDecision}). */
    private String recoverPrimary(Cluster c, HaDecision.Action a) throws DcsException, PostgresException {
        DynamicConfig cfg = c.config();
        switch (a.kind()) {
            case STOP_AND_RELEASE -> {
                disarmAndForget();
                pg.stop("immediate", 30);
                dcs.releaseLeader(node.name());
                notAnsweringSinceNanos = 0;
                return a.reason();
            }
            case RELEASE -> {
                disarmAndForget();
                dcs.releaseLeader(node.name());
                primaryDownSinceNanos = 0;
                return a.reason();
            }
            default -> {
                double spent = a.param("spent");
                try {
                    pg.start(null, null, clusterParameters(c), a.<Double>param("timeout"));
                } catch (PostgresException e) {
                    return "PostgreSQL primary is down; restart attempt failed after " + String.format("%.1f", spent)
                            + " s: " + e.getMessage();
                }
                primaryDownSinceNanos = 0;
                return a.reason();
            }
        }
    }

    /** PostgreSQL is down on a node that does not lead: start it as the last leader, or as a standby. */
    private String recoverStandby(Cluster c, HaDecision.Action a) throws DcsException, PostgresException {
        disarmAndForget();
        if (a.kind() == HaDecision.Kind.START_PRIMARY) {
            pg.start(null, null, clusterParameters(c), 60);
            return a.reason();
        }
        Member leader = a.param("leader");
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
        HaDecision.Inputs in = inputs(last, e.getMessage(), state, false);
        HaDecision.Action a = HaDecision.decide(in);
        if (a.kind() == HaDecision.Kind.ASK_FAILSAFE) {
            a = HaDecision.decide(in.failsafeAnswers(failsafe.everyMemberAnswers(last)));
        }
        if (a.kind() == HaDecision.Kind.KEEP_PRIMARY) {
            deadline.failsafe(last.config().ttlMillis(), HaDecision.fenceMargin(last.config()));
        } else if (a.kind() == HaDecision.Kind.STOP_PRIMARY) {
            deadline.disarm();
            try {
                pg.stop("immediate", 30);
            } catch (PostgresException pe) {
                LOG.error("could not stop PostgreSQL after losing etcd: {}", pe.getMessage());
            }
            following = null;
        }
        return a.reason();
    }
}
