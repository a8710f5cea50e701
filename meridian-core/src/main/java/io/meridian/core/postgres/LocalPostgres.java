package io.meridian.core.postgres;

import io.meridian.core.cluster.LostTransactions;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the real PostgreSQL binaries of one node. PostgreSQL runs detached (pg_ctl start), so it
 * outlives the agent, as with Patroni: an agent restart must not take the database down.
 *
 * <p>Meridian owns three things in the data directory: {@code meridian.conf} (included last by
 * postgresql.conf), {@code pg_hba.conf} and {@code standby.signal}; all are re-rendered before every
 * start and reload, because pg_basebackup and pg_rewind copy the leader's. The role (leader followed,
 * slot), the cluster parameters and synchronous_standby_names are remembered from the last call and,
 * across an agent restart, read back from the rendered file.
 *
 * <p>synchronous_standby_names goes into the rendered file, not ALTER SYSTEM: it is then rewritten
 * with everything else on each render and never left behind in postgresql.auto.conf, which
 * pg_basebackup and pg_rewind would copy to standbys that later get promoted.
 */
public final class LocalPostgres implements PostgresController {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);
    private static final Set<String> STOP_MODES = Set.of("smart", "fast", "immediate");
    /** How the unfinished marker of a rewind begins, and what a failure appends to it. */
    private static final String REWIND_MARK = "pg_rewind from ";
    private static final String FAILED_MARK = " exited with ";

    private volatile NodeConfig.Postgres pg; // parameters and pg_hba change on the agent's SIGHUP
    private final String name;
    private final NodeFiles files;
    private final OsUser os;
    private final DataDirectory dir;
    private final AdminSql sql;
    private final String localHost;
    private final Map<String, String> inheritedEnv;
    private final WalReceiverLog receiverLog;
    private long standbyTimeline;
    private final Object observeLock = new Object();
    private Connection observer; // guarded by observeLock

    private volatile ConfigRenderer.Upstream upstream;
    private volatile Map<String, String> clusterParameters = Map.of();
    private volatile String syncNames = "";

    public LocalPostgres(NodeConfig config) {
        this(config, System.getenv());
    }

    /**
     * @param inheritedEnv the environment the agent was started with; every process started here gets
     *                     it without libpq's variables ({@link PgEnvironment}). Tests pass a polluted one.
     */
    public LocalPostgres(NodeConfig config, Map<String, String> inheritedEnv) {
        this.inheritedEnv = Map.copyOf(inheritedEnv);
        this.pg = config.postgresql();
        this.name = config.name();
        this.files = NodeFiles.of(pg.dataDir(), name, pg.listen().port());
        this.os = new OsUser(pg.osUser());
        this.dir = new DataDirectory(files, os);
        this.sql = new AdminSql(pg.superuser(), pg.tls());
        this.localHost = PgConnect.localHost(pg.listen().host());
        this.receiverLog = new WalReceiverLog(files.log());
        carryRenderedState();
    }

    /** The server log, beside the data directory. */
    public Path logFile() {
        return files.log();
    }

    /**
     * PG_VERSION is present and no clone or rewind was left unfinished (a pg_basebackup killed
     * with the agent, or a failed pg_rewind, leaves a directory that must not be started).
     */
    @Override
    public boolean hasData() {
        return Files.exists(files.pgVersion()) && !dir.isUnfinished();
    }

    @Override
    public String initdb() throws PostgresException {
        if (hasData()) {
            throw new PostgresException("initdb: " + files.data() + " already holds a cluster");
        }
        long t0 = System.nanoTime();
        dir.prepareRuntime(pg.replication(), pg.superuser());
        Path pwfile = files.home().resolve("." + name + ".initdb-password");
        try {
            dir.createData();
            dir.write(pwfile, pg.superuser().password() + "\n");
            PgCommand.Result r = runInitdb(pwfile, "C.UTF-8");
            if (!r.ok() && r.output().contains("locale")) {
                LOG.warn("initdb with locale C.UTF-8 failed ({}); retrying with locale C", r.output().lines().reduce((a, b) -> b).orElse(""));
                dir.empty();
                r = runInitdb(pwfile, "C");
            }
            if (!r.ok()) {
                throw r.failure("initdb");
            }
            // initdb fsyncs file by file (8–10 s on a busy disk); one syncfs of the filesystem
            // gives the same durability in a fraction of that.
            PgCommand.Result synced = command().run(List.of("sync", "--file-system", files.data().toString()),
                    Duration.ofMinutes(2));
            if (!synced.ok()) {
                throw synced.failure("sync after initdb");
            }
            // Last line of postgresql.conf, so pg_basebackup and pg_rewind copies include Meridian's file too.
            Files.writeString(files.data().resolve("postgresql.conf"), "\n" + ConfigRenderer.INCLUDE_LINE + "\n",
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new PostgresException("initdb: cannot prepare " + files.data() + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(pwfile);
        }
        upstream = null;
        render();
        String systemId = controlData().systemId();
        LOG.info("initdb of {} done in {} ms, system identifier {}", files.data(), millisSince(t0), systemId);
        return systemId;
    }

    private PgCommand.Result runInitdb(Path pwfile, String locale) throws PostgresException {
        return command().run(List.of(pg.bin("initdb").toString(), "-D", files.data().toString(),
                "-U", pg.superuser().username(), "--pwfile=" + pwfile, "--data-checksums",
                "--auth-local=peer", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=" + locale,
                "--no-instructions", "--no-sync"), Duration.ofMinutes(5));
    }

    @Override
    public void basebackup(Member leader, String slot, Consumer<String> progress) throws PostgresException {
        if (hasData()) {
            throw new PostgresException("basebackup: " + files.data() + " already holds a cluster; wipe it first");
        }
        String kept = rewindFailure();
        if (kept != null && !pg.removeDataDirectoryOnRewindFailure()) {
            // A clone starts by emptying the directory: only the operator (reinit wipes first) or the node file may.
            throw new PostgresException(kept);
        }
        long t0 = System.nanoTime();
        sql.ensureSlot(leader.host(), leader.port(), slot);
        dir.prepareRuntime(pg.replication(), pg.superuser());
        try {
            dir.unfinished("pg_basebackup from " + leader.name());
            dir.createData();
            dir.empty(); // leftovers of an interrupted clone
        } catch (IOException e) {
            throw new PostgresException("basebackup: cannot prepare " + files.data() + ": " + e.getMessage(), e);
        }
        PgCommand.Result r = commandToLeader().withEnv("PGPASSFILE", files.passfile().toString()).run(List.of(
                pg.bin("pg_basebackup").toString(), "-D", files.data().toString(), "-h", leader.host(),
                "-p", Integer.toString(leader.port()), "-U", pg.replication().username(), "-w",
                "-X", "stream", "-S", slot, "--checkpoint=fast", "-P", "-v"), null, progress);
        try {
            if (!r.ok()) {
                dir.empty();
            }
            dir.finished();
        } catch (IOException e) {
            throw new PostgresException("basebackup: cannot clean up after " + (r.ok() ? "the copy" : "a failed copy")
                    + " in " + files.data() + ": " + e.getMessage(), e);
        }
        if (!r.ok()) {
            throw r.failure("basebackup from " + leader.name());
        }
        LOG.info("basebackup of {} from {} through slot {} done in {} ms", files.data(), leader.name(), slot, millisSince(t0));
    }

    @Override
    public void wipe() throws PostgresException {
        requireStopped("wipe");
        try {
            dir.empty();
            dir.finished();
        } catch (IOException e) {
            throw new PostgresException("wipe: cannot empty " + files.data() + ": " + e.getMessage(), e);
        }
        LOG.info("wiped {}", files.data());
    }

    @Override
    public void start(Member leader, String slot, Map<String, String> clusterParameters, double timeoutSeconds)
            throws PostgresException {
        if (!hasData()) {
            String kept = rewindFailure();
            throw new PostgresException(kept != null ? kept
                    : "start: " + files.data() + " holds no cluster (no PG_VERSION)");
        }
        long pid = postmasterPid();
        if (pid > 0) {
            throw new PostgresException("start: PostgreSQL in " + files.data() + " is already running (pid " + pid + ")");
        }
        this.upstream = leader == null ? null : upstreamOf(leader, slot);
        this.clusterParameters = clusterParameters == null ? Map.of() : Map.copyOf(clusterParameters);
        dir.prepareRuntime(pg.replication(), pg.superuser());
        render();
        long t0 = System.nanoTime();
        int timeout = seconds(timeoutSeconds);
        PgCommand.Result r = command().run(List.of(pg.bin("pg_ctl").toString(), "start", "-w", "-t", Integer.toString(timeout),
                "-D", files.data().toString(), "-l", files.log().toString()), Duration.ofSeconds(timeout + 15L));
        if (!r.ok()) {
            // On a timeout pg_ctl leaves the server running (a standby may still be reaching consistency).
            throw new PostgresException(r.failure("start").getMessage() + "; server log " + files.log() + ": " + dir.logTail(6));
        }
        LOG.info("started PostgreSQL {} in {} ms as {}", files.data(), millisSince(t0),
                leader == null ? "primary" : "standby of " + leader.name());
    }

    @Override
    public void stop(String mode, double timeoutSeconds) throws PostgresException {
        if (!STOP_MODES.contains(mode)) {
            throw new PostgresException("stop: mode must be one of " + STOP_MODES + ", got " + mode);
        }
        closeObserver();
        if (postmasterPid() < 0) {
            return;
        }
        long t0 = System.nanoTime();
        int timeout = seconds(timeoutSeconds);
        PgCommand.Result r = command().run(List.of(pg.bin("pg_ctl").toString(), "stop", "-D", files.data().toString(),
                "-m", mode, "-w", "-t", Integer.toString(timeout)), Duration.ofSeconds(timeout + 15L));
        if (!r.ok() && postmasterPid() > 0) {
            throw r.failure("stop -m " + mode);
        }
        LOG.info("stopped PostgreSQL {} ({}) in {} ms", files.data(), mode, millisSince(t0));
    }

    @Override
    public void follow(Member leader, String slot, Map<String, String> clusterParameters) throws PostgresException {
        repoint("follow", upstreamOf(leader, slot), clusterParameters);
        LOG.info("now following {} through slot {}", leader.name(), upstream.slot());
    }

    @Override
    public void catchUpFrom(Member standby, Map<String, String> clusterParameters) throws PostgresException {
        repoint("catch up", new ConfigRenderer.Upstream(standby.host(), standby.port(), null), clusterParameters);
        LOG.info("now streaming from standby {} through a temporary slot", standby.name());
    }

    /** primary_conninfo and primary_slot_name are reloadable since PostgreSQL 13: no restart. */
    private void repoint(String action, ConfigRenderer.Upstream to, Map<String, String> clusterParameters)
            throws PostgresException {
        if (postmasterPid() > 0 && !Files.exists(files.standbySignal())) {
            throw new PostgresException(action + ": " + files.data() + " runs as a primary; stop it, rewind and start it as a standby");
        }
        this.upstream = to;
        this.clusterParameters = clusterParameters == null ? Map.of() : Map.copyOf(clusterParameters);
        render();
        reloadIfRunning();
    }

    @Override
    public void nodeSettings(Map<String, String> parameters, List<String> pgHba) throws PostgresException {
        this.pg = pg.withNodeSettings(parameters, pgHba);
        render();
        reloadIfRunning();
    }

    @Override
    public void reload(Map<String, String> clusterParameters) throws PostgresException {
        this.clusterParameters = clusterParameters == null ? Map.of() : Map.copyOf(clusterParameters);
        render();
        reloadIfRunning();
    }

    @Override
    public void promote(double timeoutSeconds) throws PostgresException {
        long t0 = System.nanoTime();
        int timeout = seconds(timeoutSeconds);
        PgCommand.Result r = command().run(List.of(pg.bin("pg_ctl").toString(), "promote", "-w", "-t", Integer.toString(timeout),
                "-D", files.data().toString()), Duration.ofSeconds(timeout + 15L));
        if (!r.ok()) {
            throw r.failure("promote");
        }
        long deadline = t0 + Duration.ofSeconds(timeout).toNanos();
        while (true) {
            PgState s = observe();
            if (s.running() && !s.inRecovery()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new PostgresException("promote: " + files.data() + " still in recovery after " + timeout + " s");
            }
            pause(100);
        }
        // PostgreSQL removed standby.signal; drop primary_conninfo and apply synchronous_standby_names.
        upstream = null;
        render();
        reloadIfRunning();
        LOG.info("promoted {} in {} ms", files.data(), millisSince(t0));
    }

    @Override
    public boolean rewind(Member leader, Consumer<String> progress) throws PostgresException {
        requireStopped("rewind");
        long t0 = System.nanoTime();
        sql.checkpointIfTimelineStale(leader.host(), leader.port());
        dir.prepareRuntime(pg.replication(), pg.superuser());
        String source = "host=" + leader.host() + " port=" + leader.port() + " user=" + pg.superuser().username()
                + " dbname=postgres connect_timeout=5 passfile=" + files.passfile();
        try {
            dir.unfinished(REWIND_MARK + leader.name());
        } catch (IOException e) {
            throw new PostgresException("rewind: cannot write " + files.unfinished() + ": " + e.getMessage(), e);
        }
        // pg_rewind 13+ runs crash recovery on a target that was not shut down cleanly.
        PgCommand.Result r = commandToLeader().run(List.of(pg.bin("pg_rewind").toString(), "--target-pgdata=" + files.data(),
                "--source-server=" + source, "--progress"), null, progress);
        if (!r.ok()) {
            // The marker stays: a half-rewound directory must be re-cloned, never started. It says
            // why, so that the reason survives an agent restart (see rewindFailure()).
            LOG.warn("pg_rewind of {} from {} failed (exit {}): {}", files.data(), leader.name(), r.exitCode(), r.output());
            String last = r.lines().isEmpty() ? "" : ": " + r.lines().get(r.lines().size() - 1);
            try {
                dir.unfinished(REWIND_MARK + leader.name() + FAILED_MARK + r.exitCode() + last);
            } catch (IOException e) {
                LOG.warn("could not note the failed rewind in {}: {}", files.unfinished(), e.getMessage());
            }
            return false;
        }
        try {
            dir.write(files.standbySignal(), "");
            dir.finished();
        } catch (IOException e) {
            throw new PostgresException("rewind: cannot write " + files.standbySignal() + ": " + e.getMessage(), e);
        }
        LOG.info("rewound {} from {} in {} ms", files.data(), leader.name(), millisSince(t0));
        return true;
    }

    /**
     * A rewind that failed, or that an agent crash interrupted, leaves its marker beside the data
     * directory: the directory is unusable, and only the operator or
     * {@code remove_data_directory_on_rewind_failure} may wipe it.
     */
    @Override
    public String rewindFailure() {
        String mark;
        try {
            mark = Files.exists(files.unfinished()) ? Files.readString(files.unfinished()).strip() : null;
        } catch (IOException e) {
            mark = null;
        }
        if (mark == null || !mark.startsWith(REWIND_MARK)) {
            return null;
        }
        String why = mark.contains(FAILED_MARK) ? mark
                : mark + " did not finish (the agent stopped during it)";
        return "rewind failed: " + why + "; data directory " + files.data() + " kept, reinitialize with `meridian reinit "
                + name + "` or set postgresql.remove_data_directory_on_rewind_failure in " + "the node file";
    }

    @Override
    public LostTransactions saveDivergentWal(Member leader) throws PostgresException {
        requireStopped("saving the divergent WAL");
        DivergenceCheck.Fork fork = new DivergenceCheck(pg, files, command()).fork(leader, controlData());
        if (fork == null) {
            return null;
        }
        return new LostTransactionsFolder(pg, files, os, command()).save(name, leader, fork);
    }

    @Override
    public boolean divergedFrom(Member leader) throws PostgresException {
        requireStopped("divergence check"); // a running server moves its control file and WAL end
        return new DivergenceCheck(pg, files, command()).check(leader, controlData());
    }

    @Override
    public Lsn forkPoint(long tli, long from) {
        try {
            String text = Files.readString(files.data().resolve("pg_wal").resolve(DivergenceCheck.historyName(tli)));
            return TimelineHistory.parse(text).switchpoint(from);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public long postmasterPid() {
        return dir.postmasterPid();
    }

    /**
     * A standby's timeline comes from its WAL receiver; once the leader is gone the receiver row is
     * too, and the control file's checkpoint timeline lags until the next restartpoint (after a
     * second failover it is a whole timeline behind, which would make every standby ineligible).
     * The timeline a standby streamed on is remembered instead: a node's timeline never goes back.
     */
    private PgState rememberTimeline(PgState s) {
        if (!s.inRecovery()) {
            return s;
        }
        if (s.streaming()) {
            standbyTimeline = Math.max(standbyTimeline, s.timeline());
            return s;
        }
        return standbyTimeline > s.timeline() ? s.withTimeline(standbyTimeline) : s;
    }

    /** A standby that does not stream says why, from its server log. */
    private PgState withReceiverError(PgState s) {
        if (!s.inRecovery() || s.streaming()) {
            receiverLog.streaming();
            return s;
        }
        return s.withWalReceiverError(receiverLog.current(System.nanoTime()));
    }

    @Override
    public PgState observe() {
        synchronized (observeLock) {
            for (int attempt = 0; attempt < 2; attempt++) {
                boolean fresh = observer == null;
                try {
                    if (fresh) {
                        observer = PgConnect.open(localHost, pg.listen().port(), pg.superuser(), 2, 3);
                    }
                    return withReceiverError(rememberTimeline(StateQuery.run(observer)));
                } catch (SQLException e) {
                    closeObserverLocked();
                    if (fresh) {
                        LOG.debug("observe {}: {}", files.data(), e.getMessage());
                        return PgState.STOPPED;
                    }
                    // The held connection died (server restarted): try once with a new one.
                }
            }
            return PgState.STOPPED;
        }
    }

    @Override
    public void ensureReplicationRole() throws PostgresException {
        sql.ensureReplicationRole(localHost, pg.listen().port(), pg.replication());
    }

    @Override
    public void syncSlots(Collection<String> wanted, Collection<String> droppable) throws PostgresException {
        sql.syncSlots(localHost, pg.listen().port(), wanted, droppable);
    }

    @Override
    public void setSynchronousStandbyNames(String value) throws PostgresException {
        String v = value == null ? "" : value;
        if (v.equals(syncNames)) {
            return;
        }
        syncNames = v;
        render();
        reloadIfRunning();
        LOG.info("synchronous_standby_names = '{}'", v);
    }

    @Override
    public void checkpoint() throws PostgresException {
        sql.checkpoint(localHost, pg.listen().port());
    }

    // ---- files and processes ----

    private PgCommand command() {
        return new PgCommand(os, inheritedEnv);
    }

    /**
     * For pg_basebackup and pg_rewind, which connect to the leader with libpq: encrypted and
     * checked as primary_conninfo is. Not for pg_ctl: the postmaster would pass these defaults on
     * to every libpq connection its backends open (postgres_fdw, dblink).
     */
    private PgCommand commandToLeader() {
        PgCommand c = command();
        if (pg.tls() != null) {
            pg.tls().libpqOptions().forEach((k, v) -> c.withEnv("PG" + k.toUpperCase(java.util.Locale.ROOT), v));
        }
        return c;
    }

    /** Renders meridian.conf, pg_hba.conf and standby.signal for the current role. */
    private void render() throws PostgresException {
        try {
            ConfigRenderer.Upstream up = upstream;
            dir.write(files.meridianConf(),
                    ConfigRenderer.meridianConf(pg, name, files, clusterParameters, up, syncNames));
            dir.write(files.hbaConf(), ConfigRenderer.hba(pg));
            if (up != null) {
                dir.write(files.standbySignal(), "");
            } else {
                Files.deleteIfExists(files.standbySignal());
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new PostgresException("render configuration into " + files.data() + ": " + e.getMessage(), e);
        }
    }

    private void carryRenderedState() {
        try {
            if (Files.exists(files.meridianConf())) {
                Map<String, String> rendered = ConfigRenderer.parse(Files.readString(files.meridianConf()));
                syncNames = rendered.getOrDefault("synchronous_standby_names", "");
                if (Files.exists(files.standbySignal())) {
                    upstream = ConfigRenderer.upstreamOf(rendered);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot read {}: {}; role and sync settings start empty", files.meridianConf(), e.getMessage());
        }
    }

    private void reloadIfRunning() throws PostgresException {
        if (postmasterPid() < 0) {
            return;
        }
        PgCommand.Result r = command().run(List.of(pg.bin("pg_ctl").toString(), "reload", "-D", files.data().toString()),
                Duration.ofSeconds(30));
        if (!r.ok()) {
            throw r.failure("reload");
        }
    }

    ControlData controlData() throws PostgresException {
        PgCommand.Result r = command().run(List.of(pg.bin("pg_controldata").toString(), "-D", files.data().toString()),
                Duration.ofSeconds(30));
        if (!r.ok()) {
            throw r.failure("pg_controldata");
        }
        return ControlData.parse(r.output());
    }

    private void requireStopped(String action) throws PostgresException {
        long pid = postmasterPid();
        if (pid > 0) {
            throw new PostgresException(action + ": PostgreSQL in " + files.data() + " is running (pid " + pid + "); stop it first");
        }
    }

    private ConfigRenderer.Upstream upstreamOf(Member leader, String slot) throws PostgresException {
        String s = slot == null ? PostgresController.slotName(name) : slot;
        AdminSql.checkSlotName(s);
        return new ConfigRenderer.Upstream(leader.host(), leader.port(), s);
    }

    private void closeObserver() {
        synchronized (observeLock) {
            closeObserverLocked();
        }
    }

    private void closeObserverLocked() {
        if (observer != null) {
            try {
                observer.close();
            } catch (SQLException ignored) {
                // already broken
            }
            observer = null;
        }
    }

    private static int seconds(double timeoutSeconds) {
        return (int) Math.max(1, Math.ceil(timeoutSeconds));
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", p, e.getMessage());
        }
    }

    /** Polling interval inside promote(); a product wait, not a test wait. */
    private static void pause(long millis) throws PostgresException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PostgresException("interrupted", e);
        }
    }
}
