package io.meridian.core.postgres;

import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import java.util.Collection;
import java.util.Map;

/**
 * Everything the agent does to its own PostgreSQL. One implementation drives the real binaries
 * (LocalPostgres); the interface is the seam the HA loop is tested through.
 *
 * <p>Timing: every method returns when the action is complete or has failed; none waits longer
 * than the timeout it is given (or 60 s for start/stop, whose slowest part is a checkpoint).
 * Methods that fail throw {@link PostgresException} naming the command and its last output lines.
 * None of them ever passes a password on a command line: passwords go through a 0600 passfile.
 */
public interface PostgresController {

    /** The data directory holds a cluster (PG_VERSION present). */
    boolean hasData();

    /** initdb with data checksums, renders configuration; does not start. Returns the system id. */
    String initdb() throws PostgresException;

    /**
     * Clones the leader with pg_basebackup through the physical slot {@code slot} (created on the
     * leader first if missing), streaming WAL; progress lines go to {@code progress}.
     */
    void basebackup(Member leader, String slot, java.util.function.Consumer<String> progress) throws PostgresException;

    /** Empties the data directory (before a re-clone). */
    void wipe() throws PostgresException;

    /**
     * Renders configuration and starts PostgreSQL. With {@code leader} null it starts as a primary;
     * otherwise as a standby streaming from {@code leader} through slot {@code slot}.
     * Waits until it accepts connections or {@code timeoutSeconds} pass.
     */
    void start(Member leader, String slot, Map<String, String> clusterParameters, double timeoutSeconds)
            throws PostgresException;

    /** Stops PostgreSQL. {@code mode} is {@code fast} (checkpoint, clean) or {@code immediate} (fence now). */
    void stop(String mode, double timeoutSeconds) throws PostgresException;

    /** Points a running standby at another leader (primary_conninfo is reloadable since PostgreSQL 13). */
    void follow(Member leader, String slot, Map<String, String> clusterParameters) throws PostgresException;

    /**
     * Points a running standby at another standby (cascading replication) to stream WAL it lacks,
     * through a temporary slot on that standby that disappears with the connection.
     */
    void catchUpFrom(Member standby, Map<String, String> clusterParameters) throws PostgresException;

    /** Re-renders configuration and reloads (SIGHUP). */
    void reload(Map<String, String> clusterParameters) throws PostgresException;

    /**
     * The node file's {@code postgresql.parameters} and {@code pg_hba} changed (the agent's SIGHUP):
     * render them with the cluster's parameters last given, and reload PostgreSQL if it runs.
     */
    default void nodeSettings(Map<String, String> parameters, java.util.List<String> pgHba) throws PostgresException {
        throw new PostgresException("this PostgreSQL controller cannot change its node's parameters while it runs");
    }

    /** Promotes a standby and waits until it accepts writes. */
    void promote(double timeoutSeconds) throws PostgresException;

    /**
     * Runs pg_rewind against {@code leader} after a stop; returns false (and leaves the data directory
     * as pg_rewind left it, unusable until re-cloned, see {@link #rewindFailure}) when rewind failed.
     */
    boolean rewind(Member leader, java.util.function.Consumer<String> progress) throws PostgresException;

    /**
     * Why the data directory is unusable after a pg_rewind that failed or was interrupted (a
     * sentence for the HA line naming what the operator can do), or null when no rewind failed.
     * Until it is wiped ({@link #wipe}, by the operator's reinitialize) nothing starts or clones it,
     * unless the node file sets {@code remove_data_directory_on_rewind_failure}.
     */
    String rewindFailure();

    /**
     * Before pg_rewind, with PostgreSQL stopped: when this node's WAL goes past the point where the
     * leader's timeline left it, copies those segments to the node's lost-transactions folder with
     * a summary of the commits in them. Null when the WAL does not go past the fork (nothing to
     * lose); a record with no folder when it does but holds no commit.
     */
    io.meridian.core.cluster.LostTransactions saveDivergentWal(Member leader) throws PostgresException;

    /**
     * Whether this data directory's history left the leader's: compares this node's last checkpoint
     * (timeline, LSN) with the leader's timeline history. True means pg_rewind is needed before it
     * can stream.
     */
    boolean divergedFrom(Member leader) throws PostgresException;

    /**
     * Where timeline {@code tli} left timeline {@code from}, as read from the history file of
     * {@code tli} in this node's pg_wal (a running standby's WAL receiver fetches it from its
     * upstream before it streams), or null when that file is absent or does not descend from
     * {@code from}.
     */
    Lsn forkPoint(long tli, long from);

    /** The postmaster PID from postmaster.pid when that process is alive, else -1. */
    long postmasterPid();

    /** One snapshot of the running server; {@link PgState#STOPPED} when it does not answer. */
    PgState observe();

    /** Creates or updates the replication role (password hashed client-side, never in the server log). */
    void ensureReplicationRole() throws PostgresException;

    /**
     * On the primary: makes the physical slots exactly {@code wanted} (creating missing ones with
     * WAL reserved now) and drops Meridian-owned physical slots in {@code droppable}.
     */
    void syncSlots(Collection<String> wanted, Collection<String> droppable) throws PostgresException;

    /** Sets {@code synchronous_standby_names} on the primary and reloads ("" turns sync off). */
    void setSynchronousStandbyNames(String value) throws PostgresException;

    /** Runs a checkpoint (after promotion, so pg_rewind on the old primary sees the new timeline). */
    void checkpoint() throws PostgresException;

    /** Physical slot name for a member: lowercase, [a-z0-9_], at most 63 bytes. */
    static String slotName(String member) {
        String s = member.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return s.length() > 63 ? s.substring(0, 63) : s;
    }
}
