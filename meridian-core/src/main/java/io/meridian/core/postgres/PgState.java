package io.meridian.core.postgres;

import io.meridian.core.cluster.Lsn;
import java.util.List;

/**
 * What the agent saw of its own PostgreSQL at one instant: one query's worth, taken each cycle.
 *
 * @param running          the postmaster is alive and accepts connections
 * @param inRecovery       {@code pg_is_in_recovery()}
 * @param timeline         current timeline (from {@code pg_control_checkpoint()} on a primary, the
 *                         WAL receiver's or the control file's on a standby)
 * @param writeLsn         primary: {@code pg_current_wal_lsn()}; standby: zero
 * @param receiveLsn       standby: {@code pg_last_wal_receive_lsn()}
 * @param replayLsn        standby: {@code pg_last_wal_replay_lsn()}
 * @param streaming        standby: the WAL receiver is in state {@code streaming}
 * @param receiverHost     standby: host the WAL receiver is connected to, or null
 * @param replayLagSeconds standby: seconds since {@code pg_last_xact_replay_timestamp()} when WAL is
 *                         still to be replayed, 0 when caught up, -1 unknown
 * @param replayPaused     standby: {@code pg_get_wal_replay_pause_state() <> 'not paused'}
 * @param systemId         {@code system_identifier} from {@code pg_control_system()}
 * @param replicas         primary: rows of {@code pg_stat_replication}
 * @param slots            primary: physical and logical slots
 * @param walBytesTotal    primary: WAL bytes written since the cluster was created (for WAL rate)
 * @param walReceiverError standby not streaming: why, as its WAL receiver last logged it; else null
 */
public record PgState(
        boolean running,
        boolean inRecovery,
        long timeline,
        Lsn writeLsn,
        Lsn receiveLsn,
        Lsn replayLsn,
        boolean streaming,
        String receiverHost,
        double replayLagSeconds,
        boolean replayPaused,
        String systemId,
        List<ReplicaConnection> replicas,
        List<SlotInfo> slots,
        long walBytesTotal,
        WalReceiverError walReceiverError) {

    public static final PgState STOPPED = new PgState(false, false, 0, Lsn.ZERO, Lsn.ZERO, Lsn.ZERO, false,
            null, -1, false, null, List.of(), List.of(), 0);

    /** An observation without a WAL receiver error. */
    public PgState(boolean running, boolean inRecovery, long timeline, Lsn writeLsn, Lsn receiveLsn, Lsn replayLsn,
                   boolean streaming, String receiverHost, double replayLagSeconds, boolean replayPaused,
                   String systemId, List<ReplicaConnection> replicas, List<SlotInfo> slots, long walBytesTotal) {
        this(running, inRecovery, timeline, writeLsn, receiveLsn, replayLsn, streaming, receiverHost, replayLagSeconds,
                replayPaused, systemId, replicas, slots, walBytesTotal, null);
    }

    public PgState {
        writeLsn = writeLsn == null ? Lsn.ZERO : writeLsn;
        receiveLsn = receiveLsn == null ? Lsn.ZERO : receiveLsn;
        replayLsn = replayLsn == null ? Lsn.ZERO : replayLsn;
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
        slots = slots == null ? List.of() : List.copyOf(slots);
    }

    /** The same observation on another timeline. */
    public PgState withTimeline(long value) {
        return new PgState(running, inRecovery, value, writeLsn, receiveLsn, replayLsn, streaming, receiverHost,
                replayLagSeconds, replayPaused, systemId, replicas, slots, walBytesTotal, walReceiverError);
    }

    /** The same observation with the WAL receiver's error (null: none). */
    public PgState withWalReceiverError(WalReceiverError error) {
        return new PgState(running, inRecovery, timeline, writeLsn, receiveLsn, replayLsn, streaming, receiverHost,
                replayLagSeconds, replayPaused, systemId, replicas, slots, walBytesTotal, error);
    }

    /**
     * Why a standby's WAL receiver does not stream, from the server log.
     *
     * @param reason      libpq's or the receiver's words, e.g. {@code password authentication failed for user "replicator"}
     * @param connecting  it could not even connect (authentication, refused, TLS, pg_hba): nothing is
     *                    known about the upstream's timeline, and restarting PostgreSQL changes nothing
     * @param seconds     how long the receiver has been failing, as far as the agent saw
     */
    public record WalReceiverError(String reason, boolean connecting, double seconds) {

        /** {@code password authentication failed for user "replicator" (since 40 s)} */
        @Override
        public String toString() {
            return reason + " (since " + Math.round(seconds) + " s)";
        }
    }

    /**
     * One row of {@code pg_stat_replication} as the primary sees a standby.
     *
     * @param applicationName the standby's {@code application_name} (Meridian sets the member name)
     * @param clientAddr      address of the standby
     * @param state           {@code streaming}, {@code catchup} …
     * @param sentLsn         last WAL position sent
     * @param writeLsn        last position written by the standby
     * @param flushLsn        last position flushed by the standby
     * @param replayLsn       last position replayed by the standby
     * @param writeLagSeconds {@code write_lag}, -1 when null
     * @param flushLagSeconds {@code flush_lag}, -1 when null
     * @param replayLagSeconds {@code replay_lag}, -1 when null
     * @param syncState       {@code async}, {@code sync}, {@code quorum}, {@code potential}
     */
    public record ReplicaConnection(
            String applicationName,
            String clientAddr,
            String state,
            Lsn sentLsn,
            Lsn writeLsn,
            Lsn flushLsn,
            Lsn replayLsn,
            double writeLagSeconds,
            double flushLagSeconds,
            double replayLagSeconds,
            String syncState) {
    }

    /**
     * One row of {@code pg_replication_slots}.
     *
     * @param name              slot name
     * @param physical          physical (true) or logical slot
     * @param active            a WAL sender is using it now
     * @param restartLsn        oldest WAL the slot retains
     * @param retainedBytes     {@code pg_current_wal_lsn() - restart_lsn}
     * @param walStatus         {@code reserved}, {@code extended}, {@code unreserved}, {@code lost}
     */
    public record SlotInfo(String name, boolean physical, boolean active, Lsn restartLsn, long retainedBytes,
                           String walStatus) {
    }
}
