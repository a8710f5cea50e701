package io.meridian.core.dcs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.cluster.MemberListResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.ClusterStatus;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.RouterState;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.cluster.SyncState;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.config.ConfigException;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * {@link Dcs} on etcd v3 through jetcd. Keys under {@code <namespace>/<cluster>/}: {@code leader},
 * {@code members/<name>}, {@code config}, {@code status}, {@code failover}, {@code sync},
 * {@code history}, {@code initialize}, and {@code routers/<name>} (written by routers); values are JSON except the leader key (the bare member name)
 * and the initialize key (the system identifier, or {@code initializing}).
 *
 * <p>A Dcs opened without a member name (CLI, router) reads, watches and edits shared keys but
 * owns no lease: the lease-bound calls throw {@link IllegalStateException}.
 */
public final class EtcdDcs implements Dcs {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EtcdDcs.class);

    private final EtcdEndpoints endpoints;
    private final EtcdKeys keys;
    private final String clusterName;
    private final String memberName;
    private volatile long retryTimeoutNanos;
    private final AgentLease lease;
    private final LeaderKey leaderKey;
    private final ChangeSignal changes;
    private final ScheduledExecutorService watchThread;
    private final Set<ClusterSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    /** The last valid {@code /config} this process read (see {@link ConfigMemory}). */
    private final ConfigMemory configMemory = new ConfigMemory();
    /** The id of the etcd member listed first, learned from its answers; 0 until it answered. */
    private volatile long homeMember;

    private EtcdDcs(EtcdEndpoints endpoints, String namespace, String cluster, String memberName, double ttlSeconds,
            double retryTimeoutSeconds) {
        this.endpoints = endpoints;
        this.keys = new EtcdKeys(namespace, cluster);
        this.clusterName = cluster;
        this.memberName = memberName;
        this.retryTimeoutNanos = Math.round(retryTimeoutSeconds * 1e9);
        this.lease = new AgentLease(ttlSeconds);
        this.leaderKey = new LeaderKey(keys.key(EtcdKeys.LEADER), lease);
        this.changes = new ChangeSignal(() -> endpoints.current().watch(), keys.prefixBytes());
        this.watchThread = io.meridian.core.runtime.HaltOnError.singleThreadScheduled("meridian-dcs-watch-" + cluster);
        endpoints.onSwitch(() -> {
            changes.moveToNewClient();
            subscriptions.forEach(ClusterSubscription::moveToNewClient);
        });
    }

    /**
     * Opens a client; no request is made until the first call. Calls go to one member at a time, the
     * first listed first, and move to the next when it stops answering (see {@link EtcdEndpoints}).
     *
     * @param memberName this agent's member name, or null for read-only users (no lease)
     */
    public static EtcdDcs connect(List<String> endpoints, String namespace, String cluster, String memberName,
            double ttlSeconds, double retryTimeoutSeconds) {
        return connect(endpoints, namespace, cluster, memberName, ttlSeconds, retryTimeoutSeconds, null);
    }

    /** As {@link #connect(List, String, String, String, double, double)}, over TLS when {@code tls} is set. */
    public static EtcdDcs connect(List<String> endpoints, String namespace, String cluster, String memberName,
            double ttlSeconds, double retryTimeoutSeconds, EtcdTls tls) {
        if (endpoints == null || endpoints.isEmpty()) {
            throw new IllegalArgumentException("no etcd endpoints given");
        }
        if (!(retryTimeoutSeconds > 0)) {
            throw new IllegalArgumentException("retry_timeout must be positive, got " + retryTimeoutSeconds);
        }
        Duration retry = Duration.ofNanos(Math.round(retryTimeoutSeconds * 1e9));
        return new EtcdDcs(new EtcdEndpoints(endpoints, retry, EtcdTls.forEndpoints(endpoints, tls)), namespace, cluster,
                memberName, ttlSeconds, retryTimeoutSeconds);
    }

    /**
     * New lease lifetime. It takes effect at this agent's next lease renewal (the next lease-bound
     * call): the lease is replaced by one of the new TTL and its keys moved onto it (see
     * {@link AgentLease#follow}). The HA loop calls this after each cycle with the ttl that cycle
     * read; {@link #load()} raises it at once when it reads a higher one.
     */
    public void setTtl(double ttlSeconds) {
        lease.setTtl(ttlSeconds);
    }

    /** The TTL this agent's lease was granted with, in seconds; 0 when it holds none. */
    public long leaseTtlSeconds() {
        return lease.grantedTtlSeconds();
    }

    /**
     * New budget of each call (the cluster's {@code retry_timeout}), for calls that begin from now
     * on; also moves the rule that switches etcd members (see {@link EtcdEndpoints#setRetry}).
     */
    public void setRetryTimeout(double retryTimeoutSeconds) {
        if (!(retryTimeoutSeconds > 0)) {
            throw new IllegalArgumentException("retry_timeout must be positive, got " + retryTimeoutSeconds);
        }
        long nanos = Math.round(retryTimeoutSeconds * 1e9);
        if (nanos != retryTimeoutNanos) {
            LOG.info("etcd calls now time out after {} s (retry_timeout, was {} s)",
                    io.meridian.core.config.DynamicConfigParser.fmt(retryTimeoutSeconds),
                    io.meridian.core.config.DynamicConfigParser.fmt(retryTimeoutNanos / 1e9));
            retryTimeoutNanos = nanos;
            endpoints.setRetry(Duration.ofNanos(nanos));
        }
    }

    /** The key prefix of this cluster, e.g. {@code /meridian/demo/}. */
    public String keyPrefix() {
        return keys.prefix();
    }

    /** Revokes this agent's lease now: its member and leader keys vanish without waiting for the TTL. */
    public void revokeLease() throws DcsException {
        requireMember();
        lease.revoke(deadline());
    }

    @Override
    public Cluster load() throws DcsException {
        CallDeadline d = deadline();
        GetResponse r = d.await(d.kv().get(keys.prefixBytes(), GetOption.builder().isPrefix(true).build()),
                "range read of " + keys.prefix());
        if (d.connection().member().equals(endpoints.home())) {
            homeMember = r.getHeader().getMemberId();
        }
        Cluster cluster = ClusterCodec.decode(clusterName, keys, r.getHeader().getRevision(), r.getKvs(), configMemory);
        if (memberName != null) {
            // A raised ttl reaches the lease before the caller renews anything: the HA loop arms its
            // fence with the ttl of the configuration it just read, after the renewal that follows,
            // so that renewal must already be on a lease at least that long (see AgentLease#follow).
            // Lowering waits for setTtl, from the HA loop once a cycle has read it: a read on another
            // thread (REST) may see a newer, lower ttl while the loop's cycle still fences with the old one.
            lease.raiseTtl(cluster.config().ttl());
        }
        return cluster;
    }

    @Override
    public String etcdMember() {
        long id = homeMember;
        return id == 0 ? null : EtcdView.hex(id);
    }

    @Override
    public EtcdView etcdView() throws DcsException {
        CallDeadline d = deadline();
        EtcdEndpoints.Connection c = d.connection();
        StatusResponse status = d.await(c.maintenance().statusMember(c.member()), "status of " + c.member());
        MemberListResponse list = d.await(c.members().listMember(), "member list");
        return new EtcdView(status.getLeader(), status.getHeader().getMemberId(), list.getMembers().stream()
                .map(m -> new EtcdView.Member(m.getId(), m.getName(), m.isLearner(),
                        m.getClientURIs().stream().map(Object::toString).toList())).toList());
    }

    @Override
    public void moveEtcdLeader(EtcdView view, long memberId) throws DcsException {
        String what = "move of etcd leadership to " + EtcdView.hex(memberId);
        if (view.leaderId() == view.servingId()) {
            CallDeadline d = deadline();
            d.await(d.connection().maintenance().moveLeader(memberId), what);
            return;
        }
        // etcd takes the request from its leader only: ask the leader itself, over a client of its own
        // (its failure says nothing about the member we usually talk to).
        List<String> urls = view.members().stream().filter(m -> m.id() == view.leaderId())
                .flatMap(m -> m.clientUrls().stream()).toList();
        if (urls.isEmpty()) {
            throw new DcsException("etcd's leader " + EtcdView.hex(view.leaderId()) + " has no client URL in the member list");
        }
        try (var pinned = endpoints.pinned(urls)) {
            pinned.getMaintenanceClient().moveLeader(memberId).get(retryTimeoutNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new DcsException("etcd leader at " + urls + " failed " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new DcsException("etcd leader at " + urls + " did not answer " + what + " within retry_timeout", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DcsException("interrupted during " + what, e);
        }
    }

    @Override
    public List<RouterState> routers() throws DcsException {
        CallDeadline d = deadline();
        GetResponse r = d.await(d.kv().get(keys.key(EtcdKeys.ROUTERS), GetOption.builder().isPrefix(true).build()),
                "range read of " + keys.prefix() + EtcdKeys.ROUTERS);
        return ClusterCodec.routers(keys, r.getKvs());
    }

    @Override
    public boolean acquireLeader(String member) throws DcsException {
        requireSelf(member);
        return leaderKey.acquire(member, deadline());
    }

    @Override
    public boolean renewLeader(String member) throws DcsException {
        requireSelf(member);
        CallDeadline d = deadline();
        // A ttl change moves the key to a lease of the new TTL first; if that fails, so does the renewal.
        long held = lease.id();
        lease.follow(d);
        if (held != 0 && lease.id() == 0) {
            return false; // the lease had expired etcd-side: the leader key went with it
        }
        return leaderKey.renew(member, d);
    }

    @Override
    public boolean releaseLeader(String member) throws DcsException {
        return leaderKey.release(member, deadline());
    }

    @Override
    public void touchMember(Member member) throws DcsException {
        requireSelf(member.name());
        ByteSequence key = keys.member(member.name());
        ByteSequence value = ClusterCodec.encode(member);
        CallDeadline d = deadline();
        lease.write(d, "member key write", id -> d.kv().put(key, value, leased(id)));
    }

    @Override
    public boolean claimInitialize() throws DcsException {
        requireMember();
        ByteSequence key = keys.key(EtcdKeys.INITIALIZE);
        // The placeholder hangs on our lease: if this agent dies during initdb, the claim lapses
        // with it and another node may bootstrap, instead of the cluster waiting forever.
        CallDeadline d = deadline();
        return lease.write(d, "initialize claim", id -> d.kv().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(key, EtcdKeys.bytes(Cluster.initializingBy(memberName)), leased(id)))
                .commit()).isSucceeded();
    }

    @Override
    public void setSystemId(String systemId) throws DcsException {
        // Without a lease: the system identifier outlives every agent.
        CallDeadline d = deadline();
        d.await(d.kv().put(keys.key(EtcdKeys.INITIALIZE), EtcdKeys.bytes(systemId)), "system id write");
    }

    @Override
    public void cancelInitialize() throws DcsException {
        ByteSequence key = keys.key(EtcdKeys.INITIALIZE);
        CallDeadline d = deadline();
        d.await(d.kv().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(EtcdKeys.bytes(Cluster.initializingBy(memberName)))))
                .Then(Op.delete(key, DeleteOption.DEFAULT))
                .commit(), "initialize cancel");
    }

    @Override
    public boolean setConfig(DynamicConfig config, long version) throws DcsException {
        return writeConfig(config, version, false);
    }

    @Override
    public boolean replaceConfig(DynamicConfig config, long version) throws DcsException {
        return writeConfig(config, version, true);
    }

    /**
     * Reads the value being replaced first (the compare-and-set makes that read exact: any change
     * in between fails the write), to carry its newer keys over and to refuse building on a value
     * that does not decode unless {@code replace}.
     */
    private boolean writeConfig(DynamicConfig config, long version, boolean replace) throws DcsException {
        ObjectNode value = ClusterCodec.JSON.valueToTree(config);
        if (version != 0) {
            CallDeadline d = deadline();
            GetResponse r = d.await(d.kv().get(keys.key(EtcdKeys.CONFIG)), "read of " + keys.prefix() + EtcdKeys.CONFIG);
            if (r.getKvs().isEmpty() || r.getKvs().get(0).getModRevision() != version) {
                return false;
            }
            String source = keys.prefix() + EtcdKeys.CONFIG;
            try {
                DynamicConfigParser.Stored stored = DynamicConfigParser.parseStored(source, EtcdKeys.text(r.getKvs().get(0).getValue()));
                stored.newerKeys().forEach(value::set);
            } catch (ConfigException e) {
                if (!replace) {
                    throw new IllegalStateException(e.getMessage() + "; it is left as is: replace the whole configuration"
                            + " (meridian edit-config --replace FILE, or PUT /config)");
                }
            }
        }
        return compareAndPut(EtcdKeys.CONFIG, ClusterCodec.encode(value), version);
    }

    @Override
    public boolean setSwitchover(SwitchoverRequest request, long version) throws DcsException {
        return compareAndPut(EtcdKeys.FAILOVER, ClusterCodec.encode(request), version);
    }

    @Override
    public void clearSwitchover(long version) throws DcsException {
        ByteSequence key = keys.key(EtcdKeys.FAILOVER);
        CallDeadline d = deadline();
        if (version == 0) {
            d.await(d.kv().delete(key), "switchover delete");
            return;
        }
        d.await(d.kv().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(version)))
                .Then(Op.delete(key, DeleteOption.DEFAULT))
                .commit(), "switchover delete");
    }

    @Override
    public void writeStatus(ClusterStatus status) throws DcsException {
        CallDeadline d = deadline();
        d.await(d.kv().put(keys.key(EtcdKeys.STATUS), ClusterCodec.encode(status)), "status write");
    }

    @Override
    public boolean setSync(SyncState sync, long version) throws DcsException {
        return compareAndPut(EtcdKeys.SYNC, ClusterCodec.encode(sync), version);
    }

    @Override
    public void appendHistory(TimelineEvent event) throws DcsException {
        HistoryAppend.append(keys.key(EtcdKeys.HISTORY), event, deadline());
    }

    @Override
    public void recordLostTransactions(io.meridian.core.cluster.LostTransactions lost) throws DcsException {
        HistoryAppend.attachLost(keys.key(EtcdKeys.HISTORY), lost, deadline());
    }

    @Override
    public boolean awaitChange(long revision, Duration timeout) throws InterruptedException {
        return changes.await(revision, timeout);
    }

    /** Delivers the current cluster at once, then a fresh one after every change (on one watch thread). */
    @Override
    public AutoCloseable watch(Consumer<Cluster> onChange) {
        ClusterSubscription subscription = new ClusterSubscription(() -> endpoints.current().watch(), keys.prefixBytes(),
                this::load, onChange, watchThread);
        subscriptions.add(subscription);
        subscription.start();
        return () -> {
            subscriptions.remove(subscription);
            subscription.close();
        };
    }

    @Override
    public java.util.Optional<LeaseRenewal> leaseRenewal() {
        return java.util.Optional.ofNullable(lease.lastRenewal());
    }

    @Override
    public double leaseRemainingSeconds() {
        return lease.remainingSeconds();
    }

    @Override
    public void deleteCluster() throws DcsException {
        CallDeadline d = deadline();
        d.await(d.kv().delete(keys.prefixBytes(), DeleteOption.builder().isPrefix(true).build()),
                "delete of " + keys.prefix());
    }

    /** Stops watches and the client. Does not revoke the lease: a leader that merely closes keeps leading until its TTL. */
    @Override
    public void close() {
        for (ClusterSubscription s : subscriptions) {
            s.close();
        }
        subscriptions.clear();
        changes.close();
        watchThread.shutdownNow();
        try {
            watchThread.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        endpoints.close();
    }

    /** Create-if-absent when {@code version} is 0, else replace only at that mod revision. */
    private boolean compareAndPut(String relative, ByteSequence value, long version) throws DcsException {
        ByteSequence key = keys.key(relative);
        Cmp cmp = version == 0
                ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0))
                : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(version));
        CallDeadline d = deadline();
        return d.await(d.kv().txn().If(cmp).Then(Op.put(key, value, PutOption.DEFAULT)).commit(),
                relative + " compare-and-set at version " + version).isSucceeded();
    }

    static PutOption leased(long leaseId) {
        return PutOption.builder().withLeaseId(leaseId).build();
    }

    private CallDeadline deadline() {
        return new CallDeadline(endpoints, retryTimeoutNanos);
    }

    private void requireMember() {
        if (memberName == null) {
            throw new IllegalStateException("this etcd client was opened without a member name and holds no lease");
        }
    }

    private void requireSelf(String member) {
        requireMember();
        if (!memberName.equals(member)) {
            throw new IllegalArgumentException("this agent is " + memberName + ", not " + member);
        }
    }
}
