package io.meridian.core.console;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.ClusterStatus;
import io.meridian.core.cluster.LostTransactions;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.RouterState;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.cluster.SyncState;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.dcs.EtcdHttpRead;
import io.meridian.core.dcs.EtcdView;
import io.meridian.core.dcs.LeaseRenewal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The DCS session of a one-shot command: reads go through etcd's JSON gateway
 * ({@link EtcdHttpRead}) until anything else is needed, and only then is the gRPC client (jetcd,
 * Netty) opened; from then on every call, reads included, uses it, so revisions compared by
 * {@link #awaitChange} come from one client. {@code meridian list} thus never loads gRPC, and a
 * switchover sends its request before paying for it. When the gateway cannot answer (an etcd
 * built without it, a proxy), the read falls back to the gRPC client.
 */
final class ReadFirstDcs implements Dcs {

    private final ClusterTarget target;
    private Dcs grpc;

    ReadFirstDcs(ClusterTarget target) {
        this.target = target;
    }

    private synchronized Dcs grpc() {
        if (grpc == null) {
            grpc = target.openDcs();
        }
        return grpc;
    }

    @Override
    public Cluster load() throws DcsException {
        synchronized (this) {
            if (grpc != null) {
                return grpc.load();
            }
        }
        try {
            return EtcdHttpRead.load(target.endpoints(), target.namespace(), target.cluster(), target.etcdTls(),
                    Duration.ofSeconds(3));
        } catch (DcsException e) {
            return grpc().load();
        }
    }

    @Override
    public boolean acquireLeader(String member) throws DcsException {
        return grpc().acquireLeader(member);
    }

    @Override
    public boolean renewLeader(String member) throws DcsException {
        return grpc().renewLeader(member);
    }

    @Override
    public boolean releaseLeader(String member) throws DcsException {
        return grpc().releaseLeader(member);
    }

    @Override
    public void touchMember(Member member) throws DcsException {
        grpc().touchMember(member);
    }

    @Override
    public boolean claimInitialize() throws DcsException {
        return grpc().claimInitialize();
    }

    @Override
    public void setSystemId(String systemId) throws DcsException {
        grpc().setSystemId(systemId);
    }

    @Override
    public void cancelInitialize() throws DcsException {
        grpc().cancelInitialize();
    }

    @Override
    public boolean setConfig(DynamicConfig config, long version) throws DcsException {
        return grpc().setConfig(config, version);
    }

    @Override
    public boolean replaceConfig(DynamicConfig config, long version) throws DcsException {
        return grpc().replaceConfig(config, version);
    }

    @Override
    public boolean setSwitchover(SwitchoverRequest request, long version) throws DcsException {
        return grpc().setSwitchover(request, version);
    }

    @Override
    public void clearSwitchover(long version) throws DcsException {
        grpc().clearSwitchover(version);
    }

    @Override
    public void writeStatus(ClusterStatus status) throws DcsException {
        grpc().writeStatus(status);
    }

    @Override
    public boolean setSync(SyncState sync, long version) throws DcsException {
        return grpc().setSync(sync, version);
    }

    @Override
    public void appendHistory(TimelineEvent event) throws DcsException {
        grpc().appendHistory(event);
    }

    @Override
    public void recordLostTransactions(LostTransactions lost) throws DcsException {
        grpc().recordLostTransactions(lost);
    }

    @Override
    public List<RouterState> routers() throws DcsException {
        return grpc().routers();
    }

    @Override
    public boolean awaitChange(long revision, Duration timeout) throws InterruptedException {
        return grpc().awaitChange(revision, timeout);
    }

    @Override
    public AutoCloseable watch(Consumer<Cluster> onChange) {
        return grpc().watch(onChange);
    }

    @Override
    public String etcdMember() {
        return grpc == null ? null : grpc.etcdMember();
    }

    @Override
    public EtcdView etcdView() throws DcsException {
        return grpc().etcdView();
    }

    @Override
    public void moveEtcdLeader(EtcdView view, long memberId) throws DcsException {
        grpc().moveEtcdLeader(view, memberId);
    }

    @Override
    public double leaseRemainingSeconds() {
        return -1;
    }

    @Override
    public Optional<LeaseRenewal> leaseRenewal() {
        return Optional.empty();
    }

    @Override
    public void deleteCluster() throws DcsException {
        grpc().deleteCluster();
    }

    @Override
    public synchronized void close() {
        if (grpc != null) {
            grpc.close();
        }
    }
}
