package io.meridian.router;

import io.meridian.core.dcs.Dcs;
import io.meridian.router.config.LiveConfig;
import io.meridian.router.config.RouterConfig;
import io.meridian.router.config.RouterConfigLoader;
import io.meridian.router.lag.LagMonitor;
import io.meridian.router.ops.HealthServer;
import io.meridian.router.ops.RevisionPublisher;
import io.meridian.router.ops.RouterMetrics;
import io.meridian.router.proxy.ProxyServer;
import io.meridian.router.proxy.SessionTable;
import io.meridian.router.route.RoutePlanner;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.meridian.core.config.ConfigException;
import io.meridian.core.tls.PemTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CRL;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running router: listeners, lag probes, the cluster view and the HTTP endpoints. Start one with
 * {@link #start(RouterConfig, Dcs)} (it follows etcd), or {@link #start(RouterConfig, ClusterView)}
 * when the caller feeds the view itself; {@link #reload()} re-reads its file without touching a
 * connection; {@link #close()} stops everything it started.
 */
public final class Router implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private final LiveConfig config;
    private final ClusterView view;
    private final LagMonitor lag;
    private final SessionTable table = new SessionTable();
    private final RouterMetrics metrics;
    private final ProxyServer proxy;
    private HealthServer http;
    private AutoCloseable feed;
    private volatile RevisionPublisher publisher;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private Router(RouterConfig config, ClusterView view) throws SSLException {
        // First: a bad root certificate must fail before any thread or socket exists.
        SslContext verifying = serverVerifying(config);
        this.config = new LiveConfig(config);
        this.view = view;
        this.lag = new LagMonitor(config.monitor());
        this.metrics = new RouterMetrics(lag);
        RoutePlanner planner = new RoutePlanner(this.config, view, lag, table::connections);
        this.proxy = new ProxyServer(this.config, view, planner, table, metrics, clientTls(config),
                Runtime.getRuntime().availableProcessors());
        proxy.serverVerifyingContext(verifying);
    }

    /**
     * The context that verifies the servers against tls.server_root_cert (and tls.server_crl), or
     * null when the mode does not verify. Files are read on every call: a reload picks up a renewed
     * revocation list under the same name.
     */
    private static SslContext serverVerifying(RouterConfig config) {
        if (!config.serverTls().verifies()) {
            return null;
        }
        Collection<? extends CRL> revoked = null;
        if (config.serverCrl() != null) {
            try {
                revoked = PemTls.revocationLists(config.serverCrl());
            } catch (IOException e) {
                throw new ConfigException(config.source(), "tls.server_crl", e.getMessage());
            }
        }
        try {
            return ProxyServer.verifyingContext(config.serverRootCert(), revoked);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(config.source(), "tls.server_root_cert", "expected PEM certificates in "
                    + config.serverRootCert() + ": " + e.getMessage());
        }
    }

    private static SslContext clientTls(RouterConfig config) throws SSLException {
        return config.tls() == null ? null
                : SslContextBuilder.forServer(config.tls().certificate().toFile(), config.tls().privateKey().toFile()).build();
    }

    /** Starts a router whose view the caller feeds with {@link ClusterView#apply}. */
    public static Router start(RouterConfig config, ClusterView view) throws IOException, InterruptedException {
        Router r = new Router(config, view);
        try {
            r.wire();
            r.proxy.bind();
            if (config.httpListen() != null) {
                r.http = new HealthServer(r.config, view, r.lag, r.table, r.metrics, r::reload);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    /**
     * Starts a router that follows the cluster in {@code dcs} (watch plus periodic reads) and
     * publishes the revision it applied (see {@link RevisionPublisher}). The router does not close
     * {@code dcs}.
     */
    public static Router start(RouterConfig config, Dcs dcs) throws IOException, InterruptedException {
        Router r = start(config, new ClusterView());
        try {
            r.publisher = new RevisionPublisher(config);
            r.feed = new DcsFeed(dcs, r.view, config.leaderStaleAfter());
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    /**
     * Re-reads the file the router was started from and applies what may change while running
     * (reads.*, region, leader.stale_after, client.*, monitor, tls certificates, server_mode, server_root_cert and server_crl). Open
     * connections stay as they are; new ones follow the new settings. On any error nothing changes.
     *
     * @return the keys that changed
     * @throws ConfigException naming the file and key when the file is wrong or asks for a restart
     */
    public List<String> reload() throws SSLException {
        RouterConfig running = config.get();
        Path file = Path.of(running.source());
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(running.source(), null, "the router was not started from a file, so there is nothing to reload");
        }
        RouterConfig next = RouterConfigLoader.load(file);
        SslContext tls = clientTls(next);
        SslContext verifying = serverVerifying(next);
        List<String> changed = config.reload(next);
        if (tls != null) {
            // Always rebuilt: a renewed certificate usually keeps its file name.
            proxy.sslContext(tls);
        }
        proxy.serverVerifyingContext(verifying);
        lag.reconfigure(next.monitor());
        LOG.info("router {} reloaded {}: {}", next.name(), file, changed.isEmpty() ? "no change" : "changed " + String.join(", ", changed));
        return changed;
    }

    private void wire() {
        view.onCluster(c -> {
            lag.update(c);
            metrics.applied(c.revision());
        });
        view.onLeaderChange(change -> {
            int closed = proxy.followLeader();
            RevisionPublisher p = publisher;
            if (p != null) {
                p.applied(change.cluster().revision(), change.current(), proxy.barrier());
            }
            if (change.previous() != null || closed > 0) {
                metrics.leaderChanged(closed);
            }
            LOG.info("router {} follows leader {} (was {}): closed {} read-write connections", config.get().name(),
                    change.current(), change.previous(), closed);
        });
    }

    public InetSocketAddress rwAddress() {
        return proxy.rwAddress();
    }

    public InetSocketAddress roAddress() {
        return proxy.roAddress();
    }

    /** Where health, status and metrics are served, or null when {@code listen.http} is unset. */
    public InetSocketAddress httpAddress() {
        return http == null ? null : http.address();
    }

    public ClusterView view() {
        return view;
    }

    public RouterMetrics metrics() {
        return metrics;
    }

    /** Open client connections per server node. */
    public int connections(String node) {
        return table.connections(node);
    }

    public LagMonitor lag() {
        return lag;
    }

    /** The settings in force now (they change on {@link #reload()}). */
    public RouterConfig config() {
        return config.get();
    }

    /** Where the applied revision is published in etcd, or null when the router does not follow etcd. */
    public String publishedKey() {
        RevisionPublisher p = publisher;
        return p == null ? null : p.key();
    }

    /** Stops everything the router started; a second call does nothing. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        if (feed != null) {
            try {
                feed.close();
            } catch (Exception e) {
                LOG.warn("stopping the etcd feed failed: {}", e.toString());
            }
        }
        if (http != null) {
            http.close();
        }
        proxy.close();
        // After the proxy: the key says "this router sends writes only to the leader" until its sessions are gone.
        if (publisher != null) {
            publisher.close();
        }
        lag.close();
    }
}
