package io.meridian.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.agent.metrics.AgentMetrics;
import io.meridian.agent.rest.AgentEndpoints;
import io.meridian.agent.rest.HealthCheck;
import io.meridian.agent.rest.PatroniStatus;
import io.meridian.agent.rest.PgFacts;
import io.meridian.agent.rest.RestartRequest;
import io.meridian.agent.rest.Response;
import io.meridian.agent.rest.RestApi;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.RouterState;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.postgres.PgState;
import io.meridian.core.postgres.PostgresController;
import io.meridian.core.postgres.PostgresException;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's agent: the HA loop on its own thread, the fence, and the REST API in front of them.
 */
public final class Agent implements AgentEndpoints, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private volatile NodeConfig node; // the live keys change on SIGHUP (reloadNodeFile)
    /** Node parameters and pg_hba re-read on SIGHUP, rendered by the HA loop's thread before its next cycle. */
    private final java.util.concurrent.atomic.AtomicReference<NodeConfig.Postgres> pendingPostgres =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final Dcs dcs;
    private final PostgresController pg;
    private final FenceKeeper keeper;
    private final LeaderDeadline deadline;
    private final OperatorTasks tasks;
    private final HaLoop loop;
    private final PeerProbe probe;
    private final RestApi rest;
    private final AgentMetrics metrics;
    private final ConfigWrite configWrite;
    private final io.meridian.agent.metrics.Alerts alerts = new io.meridian.agent.metrics.Alerts();
    private final io.meridian.agent.metrics.SlotGuard slotGuard = new io.meridian.agent.metrics.SlotGuard(java.time.Clock.systemUTC());
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean wake = new AtomicBoolean();
    private final Thread loopThread;
    private final Thread postmasterWatch;
    private volatile String lastReason = "starting";
    private volatile java.util.List<io.meridian.agent.metrics.SlotGuard.Warning> slotWarnings = java.util.List.of();
    private final java.util.Deque<String> recent = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private volatile long lastCycleNanos = System.nanoTime();
    private volatile long lastCycleAtMillis;
    private volatile long dcsLastSeenMillis;
    private final PgFactsQuery facts;
    private final RestartSchedule restarts = new RestartSchedule(java.time.Clock.systemUTC());

    public Agent(NodeConfig node, Dcs dcs, PostgresController pg) throws IOException {
        NodeConfig.Fence fenceConfig = node.fence() != null ? node.fence()
                : NodeConfig.Fence.defaults(node.postgresql().dataDir());
        checkWatchdog(node, fenceConfig);
        this.node = node;
        this.dcs = dcs;
        this.pg = pg;
        this.metrics = new AgentMetrics(node.cluster(), node.name(), node.region());
        this.configWrite = new ConfigWrite(node, dcs);
        this.keeper = FenceKeeper.attach(fenceConfig.dir(), node.postgresql().dataDir());
        this.deadline = new LeaderDeadline(this::fence, keeper);
        this.tasks = new OperatorTasks(() -> wake.set(true));
        // Peers answer /status with a fresh query of their PostgreSQL: give a loaded node two seconds.
        this.probe = new PeerProbe(Duration.ofMillis(2000), node.restapi().tls());
        this.loop = new HaLoop(node, dcs, pg, deadline, probe, tasks, new HaLoop.Listener() {
            @Override
            public void cycle(Cluster cluster, PgState state, String reason) {
                dcsLastSeenMillis = System.currentTimeMillis(); // a cycle is reported only after etcd answered
                metrics.update(cluster, state, dcs.leaseRemainingSeconds());
                var warnings = slotGuard.check(state.running() && !state.inRecovery() ? state.slots() : java.util.List.of());
                // Log when the set of inactive slots changes, not every cycle.
                if (!warnings.stream().map(w -> w.slot()).toList().equals(slotWarnings.stream().map(w -> w.slot()).toList())) {
                    warnings.forEach(w -> LOG.warn("{}", w.message()));
                }
                slotWarnings = warnings;
            }

            @Override
            public void promoted(String why) {
                if (why.contains("switchover")) {
                    metrics.recordSwitchover();
                } else {
                    metrics.recordFailover();
                }
            }
        });
        this.facts = new PgFactsQuery(node.postgresql());
        this.rest = new RestApi(node.restapi().listen(), node.restapi().username(), node.restapi().password(),
                node.restapi().tls(), this);
        this.loopThread = new Thread(this::runLoop, "ha-loop");
        this.postmasterWatch = new Thread(this::watchPostmaster, "postmaster-watch");
        this.postmasterWatch.setDaemon(true);
    }

    /**
     * Machine-level fencing through a watchdog device is not armed by this version (the keeper
     * would have to set the device's timeout, an ioctl, to fit inside the lease): a node whose file
     * requires it never runs, so it never leads without it; {@code automatic} goes on without.
     */
    private static void checkWatchdog(NodeConfig node, NodeConfig.Fence fence) throws IOException {
        switch (fence.watchdog()) {
            case REQUIRED -> throw new IOException(node.source() + ": fence.watchdog: required, but this version cannot arm "
                    + "the watchdog device " + fence.watchdogDevice() + "; the agent will not run (and lead) without it. "
                    + "Set fence.watchdog to off or automatic: the fence keeper process still stops PostgreSQL in time");
            case AUTOMATIC -> LOG.warn("fence.watchdog: automatic, but this version cannot arm {}; fencing by the keeper process only",
                    fence.watchdogDevice());
            case OFF -> { }
        }
    }

    public void start() {
        running.set(true);
        rest.start();
        loopThread.start();
        postmasterWatch.start();
        LOG.info("agent {} ({}) started; REST API on {}", node.name(), node.region(), node.restapi().listen());
    }

    public int restPort() {
        return rest.port();
    }

    public String lastReason() {
        return lastReason;
    }

    /** The last hundred distinct cycle outcomes, oldest first. */
    public java.util.List<String> recentReasons() {
        return java.util.List.copyOf(recent);
    }

    /** Stops as if the process died: no step-down, no lease revocation; the lease runs out on its own. */
    void abandon() {
        close();
        dcs.close();
    }

    private void runLoop() {
        long revisionSeen = 0;
        while (running.get()) {
            long started = System.nanoTime();
            String reason;
            boolean ok = true;
            try {
                applyPendingPostgres();
                reason = loop.runCycle();
            } catch (RuntimeException e) {
                // An unexpected error must not kill the loop: the fence still guards the lease.
                ok = false;
                reason = "unexpected error, will retry: " + e;
                LOG.error("HA cycle failed", e);
            }
            reason = withConfigState(loop.lastCluster(), reason);
            if (!reason.equals(lastReason)) {
                recent.addLast(reason);
                while (recent.size() > 100) {
                    recent.pollFirst();
                }
            }
            lastReason = reason;
            lastCycleNanos = System.nanoTime();
            lastCycleAtMillis = System.currentTimeMillis();
            metrics.recordCycle((lastCycleNanos - started) / 1e9, ok);
            LOG.info("{}", reason);
            Cluster c = loop.lastCluster();
            DynamicConfig cfg = c == null ? node.bootstrap() : c.config();
            if (c != null) {
                revisionSeen = c.revision();
                // The cluster's timings apply live: loop_wait to the wait below, retry_timeout to
                // the next etcd call, ttl to the lease at the next renewal (see AgentLease.follow).
                // A raised ttl is already on the lease: EtcdDcs.load raised it before this cycle
                // renewed, so the fence, armed with this cycle's ttl, never outlasts the lease; a
                // lowered one moves the lease next cycle, which fences with the lower ttl already.
                if (dcs instanceof io.meridian.core.dcs.EtcdDcs etcd) {
                    etcd.setTtl(cfg.ttl());
                    etcd.setRetryTimeout(cfg.retryTimeout());
                }
            }
            waitForNextCycle(revisionSeen, started + TimeUnit.MILLISECONDS.toNanos(cfg.loopWaitMillis()));
        }
    }

    /**
     * The node file re-read (SIGHUP): applies its live keys (see {@link NodeConfigReload}) and
     * logs, by key name only, what changed and what waits for a restart. The caller loads and
     * validates the file first: a file that does not load never gets here, and changes nothing.
     */
    public synchronized NodeConfigReload reloadNodeFile(NodeConfig read) {
        NodeConfigReload plan = NodeConfigReload.plan(node, read);
        NodeConfig next = plan.effective();
        if (!plan.live().isEmpty()) {
            rest.credentials(next.restapi().username(), next.restapi().password());
            loop.nodeConfig(next);
            if (plan.live().contains("postgresql.parameters") || plan.live().contains("postgresql.pg_hba")) {
                pendingPostgres.set(next.postgresql());
            }
            node = next;
            wake.set(true);
        }
        if (plan.restart().isEmpty() && plan.ignored().isEmpty()) {
            LOG.info("node file {} reloaded: {}", read.source(), plan.summary());
        } else {
            LOG.warn("node file {} reloaded: {}", read.source(), plan.summary());
        }
        return plan;
    }

    /** On the HA loop's thread, so that the configuration files are never rendered by two threads at once. */
    private void applyPendingPostgres() {
        NodeConfig.Postgres p = pendingPostgres.getAndSet(null);
        if (p == null) {
            return;
        }
        try {
            pg.nodeSettings(p.parameters(), p.pgHba());
            LOG.info("node file: postgresql.parameters and pg_hba rendered, PostgreSQL reloaded if running");
        } catch (PostgresException e) {
            LOG.error("node file: postgresql.parameters and pg_hba not applied: {}", e.getMessage());
        }
    }

    /**
     * The cycle's sentence, prefixed when {@code /config} did not decode: the operator must see in
     * every line that the agent runs on an older configuration than etcd holds, or on none.
     */
    static String withConfigState(Cluster c, String reason) {
        if (c == null || c.configValid()) {
            return reason;
        }
        return "CONFIG INVALID (" + c.configError() + "), " + (c.configValidVersion() == 0
                ? "no valid configuration read yet, taking no automatic action"
                : "keeping the last valid configuration (revision " + c.configValidVersion() + ")") + ": " + reason;
    }

    /**
     * Wakes the HA loop as soon as a postmaster that was running disappears, instead of at the next
     * loop_wait: a crashed primary is restarted (or its key released) up to a second sooner. Reading
     * postmaster.pid and probing the process is cheap enough for every 100 ms.
     */
    private void watchPostmaster() {
        boolean wasAlive = false;
        while (running.get()) {
            try {
                Thread.sleep(100); // the probe period, not a wait for a condition
            } catch (InterruptedException e) {
                return;
            }
            boolean alive = pg.postmasterPid() > 0;
            if (wasAlive && !alive) {
                wake.set(true);
            }
            wasAlive = alive;
        }
    }

    /** Sleeps until loop_wait has passed since the cycle began, or etcd changes, or an operator asks. */
    private void waitForNextCycle(long revision, long untilNanos) {
        try {
            while (running.get() && !wake.getAndSet(false)) {
                long left = untilNanos - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                if (dcs.awaitChange(revision, Duration.ofNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100))))) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    private void fence(String why) {
        // SIGQUIT straight to the postmaster first (an immediate shutdown: backends exit at once);
        // pg_ctl, which spawns under runuser, follows to wait for the stop and tidy up.
        long pid = pg.postmasterPid();
        if (pid > 0) {
            try {
                new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).start().waitFor(2, TimeUnit.SECONDS);
            } catch (IOException e) {
                LOG.error("fence: kill -QUIT {} failed: {}", pid, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            pg.stop("immediate", 10);
        } catch (PostgresException e) {
            LOG.error("fence: immediate stop failed: {}", e.getMessage());
        }
    }

    // ---- REST endpoints ---------------------------------------------------------------------------

    @Override
    public int health(String path, Map<String, String> query) {
        return health(path, query, pg.observe());
    }

    private int health(String path, Map<String, String> query, PgState s) {
        return HealthCheck.status(path, query, loop.lastCluster(), node.name(), s,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastCycleNanos), node.tags());
    }

    @Override
    public Response healthCheck(String path, Map<String, String> query, boolean withBody) {
        PgState s = pg.observe();
        int code = health(path, query, s);
        return withBody ? Response.json(code, patroni(s)) : Response.empty(code);
    }

    @Override
    public NodeStatus status() {
        PgState s = pg.observe();
        Cluster c = loop.lastCluster();
        DynamicConfig cfg = c == null ? node.bootstrap() : c.config();
        String role = !s.running() ? "unknown" : s.inRecovery() ? "replica" : "primary";
        return new NodeStatus(node.name(), node.region(), role, s.running() ? "running" : "stopped", s.timeline(),
                s.inRecovery(), s.writeLsn(), s.receiveLsn(), s.replayLsn(), s.streaming() ? "streaming" : null,
                loop.replicating(cfg), s.replayLagSeconds(), c != null && c.isLeader(node.name()), pg.postmasterPid(),
                s.systemId(), cfg.paused(), lastReason, lastCycleAtMillis, node.tags());
    }

    @Override
    public Map<String, Object> patroni() {
        return patroni(pg.observe());
    }

    private Map<String, Object> patroni(PgState s) {
        Cluster c = loop.lastCluster();
        String state = c == null ? "stopped" : c.member(node.name()).map(m -> m.state()).orElse("stopped");
        var me = new PatroniStatus.Node(node.name(), node.cluster(), node.region(), io.meridian.core.BuildInfo.current().version(), node.tags(),
                state, dcsLastSeenMillis / 1000, restarts.describe());
        Map<String, Object> out = PatroniStatus.of(me, s, s.running() ? facts.read() : PgFacts.UNKNOWN, c);
        // Meridian's extra beside Patroni's keys: what the last HA cycle did and why (a failed rewind,
        // a WAL receiver that cannot connect), so a health check's body says why it answered 503.
        out.put("last_cycle", lastReason);
        return out;
    }

    @Override
    public Response restart(String body) throws Exception {
        RestartRequest req;
        try {
            req = RestartRequest.parse(body, java.time.Instant.now());
        } catch (RestartRequest.Rejected e) {
            return Response.text(e.status(), e.getMessage());
        }
        if (req.schedule() == null) {
            String why = restartRefusal(req);
            if (why != null) {
                return Response.text(503, "restart conditions are not satisfied (" + why + ")");
            }
            return Response.text(200, tasks.submit(OperatorTasks.Kind.RESTART).get(RestApi.OPERATION_MINUTES, TimeUnit.MINUTES));
        }
        Cluster c = loop.lastCluster();
        if (c != null && c.config().paused()) {
            return Response.text(500, "Can't schedule restart in the paused state");
        }
        if (!restarts.schedule(req, this::scheduledRestart)) {
            return Response.text(409, "Another restart is already scheduled");
        }
        return Response.text(202, "Restart scheduled");
    }

    /** Why the request's conditions do not hold now (role, version, pending restart), or null. */
    private String restartRefusal(RestartRequest req) {
        PgState s = pg.observe();
        PgFacts f = s.running() ? facts.read() : PgFacts.UNKNOWN;
        return req.refusal(s.running() && !s.inRecovery(), f.serverVersion(), f.pendingRestart());
    }

    /** At the scheduled time: the conditions are checked then, as Patroni does, and the HA loop restarts. */
    private void scheduledRestart(RestartRequest req) {
        String why = restartRefusal(req);
        if (why != null) {
            LOG.info("scheduled restart not carried out: {}", why);
            return;
        }
        tasks.submit(OperatorTasks.Kind.RESTART).whenComplete((done, e) -> LOG.info("scheduled restart: {}",
                e == null ? done : "failed: " + e.getMessage()));
    }

    @Override
    public Response cancelRestart() {
        return restarts.cancel() ? Response.text(200, "scheduled restart deleted")
                : Response.text(404, "no restarts are scheduled");
    }

    @Override
    public Cluster cluster() {
        try {
            return dcs.load();
        } catch (DcsException e) {
            Cluster c = loop.lastCluster();
            if (c == null) {
                throw new IllegalStateException("etcd unreachable and no cluster state read yet: " + e.getMessage());
            }
            return c;
        }
    }

    @Override
    public List<RouterState> routers() {
        try {
            return dcs.routers();
        } catch (DcsException e) {
            // Informational on /cluster: an etcd hiccup must not fail the whole answer.
            LOG.debug("could not read router reports: {}", e.getMessage());
            return List.of();
        }
    }

    @Override
    public String metrics() {
        // Re-read PostgreSQL when the last cycle is over 250 ms old: lag on /metrics stays under a second stale.
        return metrics.scrape(pg::observe, 250);
    }

    @Override
    public Object dashboardData() {
        Map<String, Object> out = new LinkedHashMap<>();
        Cluster c = cluster();
        PgState s = pg.observe();
        out.put("cluster", c);
        out.put("local", s);
        out.put("member", node.name());
        out.put("alerts", alerts.evaluate(c, s, slotWarnings));
        return out;
    }

    @Override
    public Response switchover(String body, boolean failover) throws Exception {
        Map<?, ?> req = body.isBlank() ? Map.of() : JSON.readValue(body, Map.class);
        String leader = req.get("leader") == null ? null : req.get("leader").toString();
        String candidate = req.get("candidate") == null ? null : req.get("candidate").toString();
        long scheduledAt = req.get("scheduled_at") == null ? 0 : java.time.Instant.parse(req.get("scheduled_at").toString()).toEpochMilli();
        Cluster c = dcs.load();
        if (failover && (candidate == null || candidate.isEmpty())) {
            return Response.json(400, Map.of("error", "failover needs a candidate"));
        }
        if (!failover) {
            if (!c.hasLeader()) {
                return Response.json(412, Map.of("error", "no leader to switch over from; use failover"));
            }
            if (leader != null && !c.isLeader(leader)) {
                return Response.json(412, Map.of("error", leader + " is not the leader (" + c.leader().name() + " is)"));
            }
            leader = c.leader().name();
        }
        if (candidate != null && !candidate.isEmpty()) {
            NodeStatus fresh = c.member(candidate).map(m -> probe.status(m.apiUrl())).orElse(null);
            String why = Switchover.refusal(c, candidate, fresh);
            if (why != null && !(failover && !c.hasLeader() && c.member(candidate).isPresent())) {
                return Response.json(412, Map.of("error", "switchover refused: " + why));
            }
        }
        SwitchoverRequest r = new SwitchoverRequest(failover ? null : leader, candidate, scheduledAt, System.currentTimeMillis());
        if (!dcs.setSwitchover(r, c.switchoverVersion() == 0 ? 0 : c.switchoverVersion())) {
            return Response.json(409, Map.of("error", "another switchover request changed first; try again"));
        }
        if (scheduledAt > System.currentTimeMillis()) {
            return Response.json(202, Map.of("message", "switchover scheduled at " + req.get("scheduled_at")));
        }
        // A new leader may hold its promotion back for router_wait_timeout (see RouterWait).
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos((long) Math.max(10, 4 * c.config().ttl()))
                + TimeUnit.MILLISECONDS.toNanos(c.config().routerWaitTimeoutMillis());
        String old = c.hasLeader() ? c.leader().name() : null;
        while (System.nanoTime() < until) {
            Cluster now = dcs.load();
            if (now.hasLeader() && !now.leader().name().equals(old) && now.switchover() == null) {
                return Response.json(200, Map.of("message", "switched over to " + now.leader().name(), "leader", now.leader().name()));
            }
            if (now.switchover() == null && now.hasLeader() && now.leader().name().equals(old)) {
                return Response.json(412, Map.of("error", "switchover did not happen: the leader refused it (see its log)"));
            }
            dcs.awaitChange(now.revision(), Duration.ofMillis(200));
        }
        return Response.json(503, Map.of("error", "switchover requested but no new leader after the timeout"));
    }

    @Override
    public Response cancelSwitchover() throws Exception {
        dcs.clearSwitchover(0);
        return Response.json(200, Map.of("message", "pending switchover cancelled"));
    }

    @Override
    public Response operator(String action) throws Exception {
        OperatorTasks.Kind kind = OperatorTasks.Kind.valueOf(action.toUpperCase(java.util.Locale.ROOT));
        String done = tasks.submit(kind).get(RestApi.OPERATION_MINUTES, TimeUnit.MINUTES);
        return Response.json(200, Map.of("message", done));
    }

    @Override
    public Response failsafe(String body) throws Exception {
        Map<?, ?> req = JSON.readValue(body, Map.class);
        Object leader = req.get("leader");
        if (leader == null) {
            return Response.json(400, Map.of("error", "failsafe ping needs a leader"));
        }
        loop.failsafePing(leader.toString());
        return Response.json(200, Map.of("member", node.name()));
    }

    @Override
    public Response patchConfig(String body, boolean replace) throws Exception {
        Response r = configWrite.apply(body, replace);
        if (r.status() == 200) {
            wake.set(true);
        }
        return r;
    }

    @Override
    public void close() {
        stopLoop();
        if (!deadline.armed()) {
            keeper.quit(); // not leading: nothing to guard until the next agent starts one
        }
        keeper.close(); // leading: the keeper keeps the last deadline, as if this process had died
    }

    private void stopLoop() {
        running.set(false);
        loopThread.interrupt();
        postmasterWatch.interrupt();
        try {
            loopThread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rest.close();
        restarts.close();
        facts.close();
        deadline.close();
    }

    /**
     * Orderly stop (SIGTERM): like Patroni, stop PostgreSQL and, if we lead, give the key up at
     * once so the others need not wait for the lease to run out.
     */
    public void shutdown() {
        stopLoop();
        try {
            // The keeper stays armed until PostgreSQL is down: a fast stop that outlasts the lease is fenced.
            if (pg.postmasterPid() > 0) {
                pg.stop("fast", 60);
            }
            dcs.releaseLeader(node.name());
        } catch (PostgresException | DcsException e) {
            LOG.warn("shutdown: {}", e.getMessage());
        }
        if (pg.postmasterPid() <= 0) {
            keeper.quit();
        }
        keeper.close();
        dcs.close();
    }
}
