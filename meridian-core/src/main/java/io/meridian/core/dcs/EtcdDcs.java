package io.meridian.core.dcs;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
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
import io.meridian.core.config.DynamicConfig;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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

    private final Client client;
    private final KV kv;
    private final EtcdKeys keys;
    private final String clusterName;
    private final String memberName;
    private final String endpoints;
    private final long retryTimeoutNanos;
    private final AgentLease lease;
    private final LeaderKey leaderKey;
    private final ChangeSignal changes;
    private final ScheduledExecutorService watchThread;
    private final Set<ClusterSubscription> subscriptions = ConcurrentHashMap.newKeySet();

    private EtcdDcs(Client client, String namespace, String cluster, String memberName, double ttlSeconds,
            double retryTimeoutSeconds, List<String> endpoints) {
        this.client = client;
        this.kv = client.getKVClient();
        this.keys = new EtcdKeys(namespace, cluster);
        this.clusterName = cluster;
        this.memberName = memberName;
        this.endpoints = String.join(",", endpoints);
        this.retryTimeoutNanos = Math.round(retryTimeoutSeconds * 1e9);
        this.lease = new AgentLease(client.getLeaseClient(), ttlSeconds);
        this.leaderKey = new LeaderKey(kv, keys.key(EtcdKeys.LEADER), lease);
        this.changes = new ChangeSignal(client.getWatchClient(), keys.prefixBytes());
        this.watchThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meridian-dcs-watch-" + cluster);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens a client; no request is made until the first call.
     *
     * @param memberName this agent's member name, or null for read-only users (no lease)
     */
    public static EtcdDcs connect(List<String> endpoints, String namespace, String cluster, String memberName,
            double ttlSeconds, double retryTimeoutSeconds) {
        if (endpoints == null || endpoints.isEmpty()) {
            throw new IllegalArgumentException("no etcd endpoints given");
        }
        if (!(retryTimeoutSeconds > 0)) {
            throw new IllegalArgumentException("retry_timeout must be positive, got " + retryTimeoutSeconds);
        }
        Duration retry = Duration.ofNanos(Math.round(retryTimeoutSeconds * 1e9));
        Client client = Client.builder()
                .endpoints(endpoints.toArray(String[]::new))
                // One member at a time, in the order given (the node's own region first): with
                // round robin, every call that lands on a member behind a silent network (a lost
                // region) hangs until gRPC's keepalive gives up on it, 10 s or more, so every HA
                // cycle of the surviving regions failed for that long. The next member is tried
                // as soon as the connection to the current one fails.
                .loadBalancerPolicy("pick_first")
                .connectTimeout(retry)
                // jetcd retries unavailable endpoints by itself: short back-off steps (its defaults of
                // 0.5-2.5 s exceed a small retry_timeout) and never longer than our own budget.
                .retryDelay(20)
                .retryMaxDelay(Math.max(40, retry.toMillis() / 4))
                .retryMaxDuration(retry)
                // gRPC pings notice a silently dead connection (partition, stopped etcd) so the channel
                // moves to another endpoint; etcd refuses pings more often than every 5 s.
                .keepaliveTime(Duration.ofSeconds(10))
                .keepaliveTimeout(retry.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : retry)
                .build();
        return new EtcdDcs(client, namespace, cluster, memberName, ttlSeconds, retryTimeoutSeconds, endpoints);
    }

    /** New lease lifetime; takes effect at the next lease grant (the current lease keeps its TTL). */
    public void setTtl(double ttlSeconds) {
        lease.setTtl(ttlSeconds);
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
        GetResponse r = deadline().await(kv.get(keys.prefixBytes(), GetOption.builder().isPrefix(true).build()),
                "range read of " + keys.prefix());
        return ClusterCodec.decode(clusterName, keys, r.getHeader().getRevision(), r.getKvs());
    }

    @Override
    public List<RouterState> routers() throws DcsException {
        GetResponse r = deadline().await(kv.get(keys.key(EtcdKeys.ROUTERS), GetOption.builder().isPrefix(true).build()),
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
        return leaderKey.renew(member, deadline());
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
        lease.write(deadline(), "member key write", id -> kv.put(key, value, leased(id)));
    }

    @Override
    public boolean claimInitialize() throws DcsException {
        requireMember();
        ByteSequence key = keys.key(EtcdKeys.INITIALIZE);
        // The placeholder hangs on our lease: if this agent dies during initdb, the claim lapses
        // with it and another node may bootstrap, instead of the cluster waiting forever.
        return lease.write(deadline(), "initialize claim", id -> kv.txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(key, EtcdKeys.bytes(Cluster.initializingBy(memberName)), leased(id)))
                .commit()).isSucceeded();
    }

    @Override
    public void setSystemId(String systemId) throws DcsException {
        // Without a lease: the system identifier outlives every agent.
        deadline().await(kv.put(keys.key(EtcdKeys.INITIALIZE), EtcdKeys.bytes(systemId)), "system id write");
    }

    @Override
    public void cancelInitialize() throws DcsException {
        ByteSequence key = keys.key(EtcdKeys.INITIALIZE);
        deadline().await(kv.txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(EtcdKeys.bytes(Cluster.initializingBy(memberName)))))
                .Then(Op.delete(key, DeleteOption.DEFAULT))
                .commit(), "initialize cancel");
    }

    @Override
    public boolean setConfig(DynamicConfig config, long version) throws DcsException {
        return compareAndPut(EtcdKeys.CONFIG, ClusterCodec.encode(config), version);
    }

    @Override
    public boolean setSwitchover(SwitchoverRequest request, long version) throws DcsException {
        return compareAndPut(EtcdKeys.FAILOVER, ClusterCodec.encode(request), version);
    }

    @Override
    public void clearSwitchover(long version) throws DcsException {
        ByteSequence key = keys.key(EtcdKeys.FAILOVER);
        if (version == 0) {
            deadline().await(kv.delete(key), "switchover delete");
            return;
        }
        deadline().await(kv.txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(version)))
                .Then(Op.delete(key, DeleteOption.DEFAULT))
                .commit(), "switchover delete");
    }

    @Override
    public void writeStatus(ClusterStatus status) throws DcsException {
        deadline().await(kv.put(keys.key(EtcdKeys.STATUS), ClusterCodec.encode(status)), "status write");
    }

    @Override
    public boolean setSync(SyncState sync, long version) throws DcsException {
        return compareAndPut(EtcdKeys.SYNC, ClusterCodec.encode(sync), version);
    }

    @Override
    public void appendHistory(TimelineEvent event) throws DcsException {
        HistoryAppend.append(kv, keys.key(EtcdKeys.HISTORY), event, deadline());
    }

    @Override
    public boolean awaitChange(long revision, Duration timeout) throws InterruptedException {
        return changes.await(revision, timeout);
    }

    /** Delivers the current cluster at once, then a fresh one after every change (on one watch thread). */
    @Override
    public AutoCloseable watch(Consumer<Cluster> onChange) {
        ClusterSubscription subscription = new ClusterSubscription(client.getWatchClient(), keys.prefixBytes(),
                this::load, onChange, watchThread);
        subscriptions.add(subscription);
        subscription.start();
        return () -> {
            subscriptions.remove(subscription);
            subscription.close();
        };
    }

    @Override
    public double leaseRemainingSeconds() {
        return lease.remainingSeconds();
    }

    @Override
    public void deleteCluster() throws DcsException {
        deadline().await(kv.delete(keys.prefixBytes(), DeleteOption.builder().isPrefix(true).build()),
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
        client.close();
    }

    /** Create-if-absent when {@code version} is 0, else replace only at that mod revision. */
    private boolean compareAndPut(String relative, ByteSequence value, long version) throws DcsException {
        ByteSequence key = keys.key(relative);
        Cmp cmp = version == 0
                ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0))
                : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(version));
        return deadline().await(kv.txn().If(cmp).Then(Op.put(key, value, PutOption.DEFAULT)).commit(),
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
