package io.meridian.router;

import io.meridian.core.dcs.Dcs;
import io.meridian.router.config.RouterConfig;
import io.meridian.router.lag.LagMonitor;
import io.meridian.router.ops.HealthServer;
import io.meridian.router.ops.RouterMetrics;
import io.meridian.router.proxy.ProxyServer;
import io.meridian.router.proxy.SessionTable;
import io.meridian.router.route.RoutePlanner;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running router: listeners, lag probes, the cluster view and the HTTP endpoints. Start one with
 * {@link #start(RouterConfig, Dcs)} (it follows etcd), or {@link #start(RouterConfig, ClusterView)}
 * when the caller feeds the view itself; {@link #close()} stops everything it started.
 */
public final class Router implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private final RouterConfig config;
    private final ClusterView view;
    private final LagMonitor lag;
    private final SessionTable table = new SessionTable();
    private final RouterMetrics metrics;
    private final ProxyServer proxy;
    private HealthServer http;
    private AutoCloseable feed;

    private Router(RouterConfig config, ClusterView view) throws SSLException {
        this.config = config;
        this.view = view;
        this.lag = new LagMonitor(config.monitor());
        this.metrics = new RouterMetrics(lag);
        RoutePlanner planner = new RoutePlanner(config, view, lag, table::connections);
        SslContext tls = config.tls() == null ? null
                : SslContextBuilder.forServer(config.tls().certificate().toFile(), config.tls().privateKey().toFile()).build();
        this.proxy = new ProxyServer(config, view, planner, table, metrics, tls, Runtime.getRuntime().availableProcessors());
    }

    /** Starts a router whose view the caller feeds with {@link ClusterView#apply}. */
    public static Router start(RouterConfig config, ClusterView view) throws IOException, InterruptedException {
        Router r = new Router(config, view);
        try {
            r.wire();
            r.proxy.bind();
            if (config.httpListen() != null) {
                r.http = new HealthServer(config, view, r.lag, r.table, r.metrics);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    /** Starts a router that follows the cluster in {@code dcs} (watch plus periodic reads). The router does not close {@code dcs}. */
    public static Router start(RouterConfig config, Dcs dcs) throws IOException, InterruptedException {
        Router r = start(config, new ClusterView());
        r.feed = new DcsFeed(dcs, r.view, config.leaderStaleAfter());
        return r;
    }

    private void wire() {
        view.onCluster(c -> {
            lag.update(c);
            metrics.applied(c.revision());
        });
        view.onLeaderChange(change -> {
            int closed = proxy.followLeader();
            if (change.previous() != null || closed > 0) {
                metrics.leaderChanged(closed);
            }
            LOG.info("router {} follows leader {} (was {}): closed {} read-write connections", config.name(),
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

    @Override
    public void close() {
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
        lag.close();
    }
}
