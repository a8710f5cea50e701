package io.meridian.core.postgres;

import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
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

    private final NodeConfig.Postgres pg;
    private final String name;
    private final NodeFiles files;
    private final OsUser os;
    private final String localHost;
    private final Object observeLock = new Object();
    private Connection observer; // guarded by observeLock

    private volatile ConfigRenderer.Upstream upstream;
    private volatile Map<String, String> clusterParameters = Map.of();
    private volatile String syncNames = "";

    public LocalPostgres(NodeConfig config) {
        this.pg = config.postgresql();
        this.name = config.name();
        this.files = NodeFiles.of(pg.dataDir(), name, pg.listen().port());
        this.os = new OsUser(pg.osUser());
        this.localHost = PgConnect.localHost(pg.listen().host());
        carryRenderedState();
    }

    /** The server log, beside the data directory. */
    public Path logFile() {
        return files.log();
    }

    @Override
    public boolean hasData() {
        return Files.exists(files.pgVersion());
    }

    @Override
    public String initdb() throws PostgresException {
        if (hasData()) {
            throw new PostgresException("initdb: " + files.data() + " already holds a cluster");
        }
        long t0 = System.nanoTime();
        prepareRuntime();
        Path pwfile = files.home().resolve("." + name + ".initdb-password");
        try {
            os.createPrivateDir(files.data());
            os.writeFile(pwfile, pg.superuser().password() + "\n", "rw-------");
            PgCommand.Result r = runInitdb(pwfile, "C.UTF-8");
            if (!r.ok() && r.output().contains("locale")) {
                LOG.warn("initdb with locale C.UTF-8 failed ({}); retrying with locale C", r.output().lines().reduce((a, b) -> b).orElse(""));
                emptyDataDir();
                r = runInitdb(pwfile, "C");
            }
            if (!r.ok()) {
                throw r.failure("initdb");
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
                "--no-instructions"), Duration.ofMinutes(5));
    }

    @Override
    public void basebackup(Member leader, String slot, Consumer<String> progress) throws PostgresException {
        if (hasData()) {
            throw new PostgresException("basebackup: " + files.data() + " already holds a cluster; wipe it first");
        }
        long t0 = System.nanoTime();
        ensureSlotOn(leader, slot);
        prepareRuntime();
        try {
            os.createPrivateDir(files.data());
            emptyDataDir(); // leftovers of an interrupted clone
        } catch (IOException e) {
            throw new PostgresException("basebackup: cannot prepare " + files.data() + ": " + e.getMessage(), e);
        }
        PgCommand.Result r = command().withEnv("PGPASSFILE", files.passfile().toString()).run(List.of(
                pg.bin("pg_basebackup").toString(), "-D", files.data().toString(), "-h", leader.host(),
                "-p", Integer.toString(leader.port()), "-U", pg.replication().username(), "-w",
                "-X", "stream", "-S", slot, "--checkpoint=fast", "-P", "-v"), null, progress);
        if (!r.ok()) {
            try {
                emptyDataDir();
            } catch (IOException e) {
                LOG.warn("basebackup: could not clean partial copy in {}: {}", files.data(), e.getMessage());
            }
            throw r.failure("basebackup from " + leader.name());
        }
        LOG.info("basebackup of {} from {} through slot {} done in {} ms", files.data(), leader.name(), slot, millisSince(t0));
    }

    @Override
    public void wipe() throws PostgresException {
        requireStopped("wipe");
        try {
            emptyDataDir();
        } catch (IOException e) {
            throw new PostgresException("wipe: cannot empty " + files.data() + ": " + e.getMessage(), e);
        }
        LOG.info("wiped {}", files.data());
    }

    @Override
    public void start(Member leader, String slot, Map<String, String> clusterParameters, double timeoutSeconds)
            throws PostgresException {
        if (!hasData()) {
            throw new PostgresException("start: " + files.data() + " holds no cluster (no PG_VERSION)");
        }
        long pid = postmasterPid();
        if (pid > 0) {
            throw new PostgresException("start: PostgreSQL in " + files.data() + " is already running (pid " + pid + ")");
        }
        this.upstream = leader == null ? null : upstreamOf(leader, slot);
        this.clusterParameters = clusterParameters == null ? Map.of() : Map.copyOf(clusterParameters);
        prepareRuntime();
        render();
        long t0 = System.nanoTime();
        int timeout = seconds(timeoutSeconds);
        PgCommand.Result r = command().run(List.of(pg.bin("pg_ctl").toString(), "start", "-w", "-t", Integer.toString(timeout),
                "-D", files.data().toString(), "-l", files.log().toString()), Duration.ofSeconds(timeout + 15L));
        if (!r.ok()) {
            // On a timeout pg_ctl leaves the server running (a standby may still be reaching consistency).
            throw new PostgresException(r.failure("start").getMessage() + "; server log " + files.log() + ": " + logTail(6));
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
        if (postmasterPid() > 0 && !Files.exists(files.standbySignal())) {
            throw new PostgresException("follow: " + files.data() + " runs as a primary; stop it, rewind and start it as a standby");
        }
        this.upstream = upstreamOf(leader, slot);
        this.clusterParameters = clusterParameters == null ? Map.of() : Map.copyOf(clusterParameters);
        render();
        reloadIfRunning();
        LOG.info("now following {} through slot {}", leader.name(), upstream.slot());
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
        checkpointIfStale(leader);
        prepareRuntime();
        String source = "host=" + leader.host() + " port=" + leader.port() + " user=" + pg.superuser().username()
                + " dbname=postgres connect_timeout=5 passfile=" + files.passfile();
        // pg_rewind 13+ runs crash recovery on a target that was not shut down cleanly.
        PgCommand.Result r = command().run(List.of(pg.bin("pg_rewind").toString(), "--target-pgdata=" + files.data(),
                "--source-server=" + source, "--progress"), null, progress);
        if (!r.ok()) {
            LOG.warn("pg_rewind of {} from {} failed (exit {}): {}", files.data(), leader.name(), r.exitCode(), r.output());
            return false;
        }
        try {
            os.writeFile(files.standbySignal(), "", "rw-------");
        } catch (IOException e) {
            throw new PostgresException("rewind: cannot write " + files.standbySignal() + ": " + e.getMessage(), e);
        }
        LOG.info("rewound {} from {} in {} ms", files.data(), leader.name(), millisSince(t0));
        return true;
    }

    @Override
    public boolean divergedFrom(Member leader) throws PostgresException {
        return new DivergenceCheck(pg, files, command()).check(leader, controlData());
    }

    @Override
    public long postmasterPid() {
        try {
            List<String> lines = Files.readAllLines(files.postmasterPid());
            long pid = lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
            // After a crash the pid may belong to another process now; insist it is a postgres.
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.contains("postgres") || c.contains("postmaster")).orElse(true))
                    .map(ProcessHandle::pid).orElse(-1L);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
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
                    return StateQuery.run(observer);
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
        String role = pg.replication().username();
        onLocal("ensure replication role " + role, c -> {
            PGConnection pgc = c.unwrap(PGConnection.class);
            try (Statement st = c.createStatement();
                 PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                exists.setString(1, role);
                boolean present;
                try (ResultSet rs = exists.executeQuery()) {
                    present = rs.next();
                }
                st.execute((present ? "ALTER" : "CREATE") + " ROLE " + pgc.escapeIdentifier(role) + " LOGIN REPLICATION");
            }
            // Hashed client-side: the server (and its log) only ever sees the SCRAM verifier.
            pgc.alterUserPassword(role, pg.replication().password().toCharArray(), "scram-sha-256");
            return null;
        });
    }

    @Override
    public void syncSlots(Collection<String> wanted, Collection<String> droppable) throws PostgresException {
        for (String s : wanted) {
            checkSlotName(s);
        }
        onLocal("sync replication slots", c -> {
            Map<String, Boolean> existing = new java.util.HashMap<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT slot_name, active FROM pg_replication_slots WHERE slot_type = 'physical'")) {
                while (rs.next()) {
                    existing.put(rs.getString(1), rs.getBoolean(2));
                }
            }
            for (String s : wanted) {
                if (!existing.containsKey(s)) {
                    createSlot(c, s);
                    LOG.info("created physical slot {}", s);
                }
            }
            for (String s : droppable) {
                if (wanted.contains(s) || !existing.containsKey(s)) {
                    continue;
                }
                if (existing.get(s)) {
                    LOG.info("slot {} is still in use by a WAL sender; dropping it on a later cycle", s);
                    continue;
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                    ps.setString(1, s);
                    ps.execute();
                }
                LOG.info("dropped physical slot {}", s);
            }
            return null;
        });
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
        onLocal("checkpoint", c -> {
            try (Statement st = c.createStatement()) {
                st.execute("CHECKPOINT");
            }
            return null;
        });
    }

    // ---- files and processes ----

    private PgCommand command() {
        return new PgCommand(os);
    }

    /** Renders meridian.conf, pg_hba.conf and standby.signal for the current role. */
    private void render() throws PostgresException {
        try {
            ConfigRenderer.Upstream up = upstream;
            os.writeFile(files.meridianConf(),
                    ConfigRenderer.meridianConf(pg, name, files, clusterParameters, up, syncNames), "rw-------");
            os.writeFile(files.hbaConf(), ConfigRenderer.hba(pg), "rw-------");
            if (up != null) {
                os.writeFile(files.standbySignal(), "", "rw-------");
            } else {
                Files.deleteIfExists(files.standbySignal());
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new PostgresException("render configuration into " + files.data() + ": " + e.getMessage(), e);
        }
    }

    /** Socket folder, log file and passfile, each owned by the OS user. */
    private void prepareRuntime() throws PostgresException {
        try {
            if (!Files.isDirectory(files.home())) {
                Files.createDirectories(files.home());
                os.own(files.home());
            }
            Files.createDirectories(files.socketDir());
            Files.setPosixFilePermissions(files.socketDir(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            os.own(files.socketDir());
            if (!Files.exists(files.log())) {
                Files.createFile(files.log());
            }
            os.own(files.log());
        } catch (IOException e) {
            throw new PostgresException("prepare " + files.home() + " for PostgreSQL: " + e.getMessage(), e);
        }
        PassFile.write(files.passfile(), os, pg.replication(), pg.superuser());
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

    private void emptyDataDir() throws IOException {
        if (!Files.isDirectory(files.data())) {
            return;
        }
        List<Path> children;
        try (var s = Files.list(files.data())) {
            children = s.toList();
        }
        for (Path child : children) {
            deleteTree(child);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            List<Path> children;
            try (var s = Files.list(p)) {
                children = s.toList();
            }
            for (Path c : children) {
                deleteTree(c);
            }
        }
        Files.deleteIfExists(p);
    }

    private String logTail(int n) {
        try {
            List<String> lines = Files.readAllLines(files.log());
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    // ---- SQL ----

    /** Work over one connection; SQLException is translated into an error naming the action. */
    @FunctionalInterface
    interface SqlWork<T> {
        T apply(Connection c) throws SQLException;
    }

    private <T> T onLocal(String action, SqlWork<T> work) throws PostgresException {
        return on(localHost, pg.listen().port(), action, work);
    }

    private <T> T on(String host, int port, String action, SqlWork<T> work) throws PostgresException {
        // socketTimeout 120 s: CHECKPOINT on a busy server is the slowest statement sent here.
        try (Connection c = PgConnect.open(host, port, pg.superuser(), 5, 120)) {
            return work.apply(c);
        } catch (SQLException e) {
            throw new PostgresException(action + " on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private void ensureSlotOn(Member leader, String slot) throws PostgresException {
        checkSlotName(slot);
        on(leader.host(), leader.port(), "create slot " + slot + " on " + leader.name(), c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        createSlot(c, slot);
                    }
                }
            }
            return null;
        });
    }

    /** Creates a physical slot reserving WAL now; a concurrent creator (the leader's own sync) is fine. */
    private static void createSlot(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_create_physical_replication_slot(?, true)")) {
            ps.setString(1, slot);
            ps.execute();
        } catch (SQLException e) {
            if (!"42710".equals(e.getSQLState())) { // duplicate_object
                throw e;
            }
        }
    }

    /**
     * pg_rewind reads the source's timeline from its control file, which only moves at the first
     * checkpoint after a promotion; until then it would wrongly see no divergence.
     */
    private void checkpointIfStale(Member leader) throws PostgresException {
        on(leader.host(), leader.port(), "checkpoint on " + leader.name() + " before pg_rewind", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT NOT pg_is_in_recovery() AND (pg_control_checkpoint()).timeline_id <> "
                            + "('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::bigint")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    st.execute("CHECKPOINT");
                }
            }
            return null;
        });
    }

    private static void checkSlotName(String slot) throws PostgresException {
        if (slot == null || !slot.matches("[a-z0-9_]{1,63}")) {
            throw new PostgresException("replication slot name '" + slot + "' must be 1-63 of [a-z0-9_]");
        }
    }

    private ConfigRenderer.Upstream upstreamOf(Member leader, String slot) throws PostgresException {
        String s = slot == null ? PostgresController.slotName(name) : slot;
        checkSlotName(s);
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
