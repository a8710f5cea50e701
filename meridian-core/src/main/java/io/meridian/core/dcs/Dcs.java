package io.meridian.core.dcs;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.ClusterStatus;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.RouterState;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.cluster.SyncState;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.config.DynamicConfig;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The distributed configuration store as Meridian uses it: one cluster's keys under
 * {@code <namespace>/<cluster>/}. etcd is the only implementation; the interface is the test seam
 * and the place where the contract is written down.
 *
 * <p>Timing: every call either completes or throws {@link DcsException} within the retry timeout
 * given at construction. Atomicity: every write that can race is a single etcd transaction that
 * compares a revision or a value; a {@code false} return means "someone else got there first",
 * never "maybe".
 *
 * <p>Leases: each agent owns one lease of {@code ttl} seconds. Its member key and, while it leads,
 * the leader key are bound to it, so both vanish when the agent stops renewing.
 */
public interface Dcs extends AutoCloseable {

    /** Reads the whole cluster in one range request (one revision). */
    Cluster load() throws DcsException;

    /**
     * Creates the leader key for {@code member} if no leader key exists (atomic create).
     * Grants a fresh lease first if this agent's lease has expired.
     *
     * @return true when this member now leads
     */
    boolean acquireLeader(String member) throws DcsException;

    /**
     * Renews this agent's lease and checks, in one transaction, that the leader key still names
     * {@code member}.
     *
     * @return true when the lease was renewed and the key is still ours; false when the key is
     *         gone or names another member (we are no longer leader)
     */
    boolean renewLeader(String member) throws DcsException;

    /** Deletes the leader key if it still names {@code member} (voluntary step-down). */
    boolean releaseLeader(String member) throws DcsException;

    /**
     * Publishes this member's record under {@code /members/<name>}, bound to the agent's lease,
     * renewing the lease as a side effect.
     */
    void touchMember(Member member) throws DcsException;

    /** Race for the right to run initdb: creates {@code /initialize} with a placeholder. */
    boolean claimInitialize() throws DcsException;

    /** Records the PostgreSQL system identifier once initdb succeeded (overwrites the placeholder). */
    void setSystemId(String systemId) throws DcsException;

    /** Removes a placeholder {@code /initialize} after a failed initdb, so another node may try. */
    void cancelInitialize() throws DcsException;

    /**
     * Compare-and-set of {@code /config}; {@code version} 0 means "create only if absent". Keys of a
     * newer version in the stored value are carried over. Throws {@link IllegalStateException} when
     * the stored value does not decode: a change built on the last valid configuration (or on the
     * defaults) must not silently overwrite it; use {@link #replaceConfig}.
     */
    boolean setConfig(DynamicConfig config, long version) throws DcsException;

    /** As {@link #setConfig}, but also over a stored value that does not decode (an operator's PUT). */
    default boolean replaceConfig(DynamicConfig config, long version) throws DcsException {
        return setConfig(config, version);
    }

    /** Compare-and-set of {@code /failover}; {@code version} 0 means "create only if absent". */
    boolean setSwitchover(SwitchoverRequest request, long version) throws DcsException;

    /** Deletes {@code /failover} (when {@code version} is 0, whatever its revision). */
    void clearSwitchover(long version) throws DcsException;

    /** Written by the leader each cycle. */
    void writeStatus(ClusterStatus status) throws DcsException;

    /** Compare-and-set of {@code /sync}. */
    boolean setSync(SyncState sync, long version) throws DcsException;

    /** Appends a leadership change to {@code /history}. */
    void appendHistory(TimelineEvent event) throws DcsException;

    /**
     * Attaches what a rejoining node lost to the promotion that left it behind (the
     * {@code /history} event of {@code lost.toTimeline()}), by compare-and-set; recording the same
     * save twice leaves one record. Throws when no such promotion is recorded.
     */
    void recordLostTransactions(io.meridian.core.cluster.LostTransactions lost) throws DcsException;

    /**
     * The routers that publish their applied state under {@code /routers/}, sorted by name, read in
     * one range request. Each key is bound to its router's lease, so a stopped router drops out
     * after its lease. A value that does not decode is left out (and logged).
     */
    List<RouterState> routers() throws DcsException;

    /**
     * Blocks until a key under the cluster prefix other than member records, router reports and
     * {@code /status} changes after {@code revision} (the leader key, a switchover request, the configuration…),
     * or {@code timeout} passes. Agents use it to act at once when the leader key changes without
     * waking on every other agent's heartbeat.
     *
     * @return true if a change was seen
     */
    boolean awaitChange(long revision, Duration timeout) throws InterruptedException;

    /** Subscribes to every change under the cluster prefix (router, dashboard). */
    AutoCloseable watch(Consumer<Cluster> onChange);

    /**
     * The etcd member listed first in this process's endpoints (its own region's, by convention), in
     * hexadecimal, as its answers to {@link #load()} name it; null until it has answered one. Agents
     * publish it, so the leader knows which etcd members are in which region, whichever member
     * each agent happens to be talking to.
     */
    String etcdMember();

    /** Raft leader and members, as the member this process talks to sees them (two requests). */
    EtcdView etcdView() throws DcsException;

    /**
     * Hands etcd's Raft leadership to {@code memberId}; returns once the transferee leads. etcd
     * takes the request from its leader only: when {@code view} (just read by {@link #etcdView()})
     * says the member this process talks to does not lead, the request goes to the leader's client
     * URLs over a short-lived client of its own.
     */
    void moveEtcdLeader(EtcdView view, long memberId) throws DcsException;

    /** Remaining seconds of this agent's lease as etcd last told us, or -1 when unknown. */
    double leaseRemainingSeconds();

    /**
     * This agent's lease as etcd last confirmed it: the send time of the grant or keepalive that
     * succeeded and the TTL etcd reported in its answer. Empty when no lease is held (none granted
     * yet, or etcd said it expired). Every successful {@link #acquireLeader}, {@link #renewLeader}
     * and {@link #touchMember} updates it before returning.
     */
    java.util.Optional<LeaseRenewal> leaseRenewal();

    /** Removes every key of the cluster (used by tests and {@code lab down}). */
    void deleteCluster() throws DcsException;

    @Override
    void close();
}
