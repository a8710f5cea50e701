package io.meridian.router.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.router.ClusterView;
import io.meridian.core.config.ConfigException;
import io.meridian.router.config.LiveConfig;
import io.meridian.router.config.RouterConfig;
import io.meridian.router.lag.LagMonitor;
import io.meridian.router.lag.NodeLag;
import io.meridian.router.proxy.SessionTable;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

/**
 * {@code GET /health} (200 when read-write connections would be routed, else 503),
 * {@code GET /status} (JSON: applied cluster revision, leader, each node's measured lag and
 * connections), {@code GET /metrics} (Prometheus text) and {@code POST /reload} (re-read the
 * router's file; 200 with the changed keys, 400 naming what is wrong, the old settings kept).
 */
public final class HealthServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LiveConfig live;
    private final ClusterView view;
    private final LagMonitor lag;
    private final SessionTable table;
    private final RouterMetrics metrics;
    private final HttpServer server;

    public HealthServer(LiveConfig live, ClusterView view, LagMonitor lag, SessionTable table, RouterMetrics metrics,
                        Callable<List<String>> reload) throws IOException {
        this.live = live;
        RouterConfig config = live.get();
        this.view = view;
        this.lag = lag;
        this.table = table;
        this.metrics = metrics;
        server = HttpServer.create(new InetSocketAddress(config.httpListen().host(), config.httpListen().port()), 64);
        // Four threads: the JDK server reads a request's headers on them, so one half-sent request
        // (held for up to the 10 s request timeout) must not hold HAProxy's /health checks behind it.
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "meridian-router-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/health", ex -> {
            Map<String, Object> s = status();
            reply(ex, s.get("leader") != null ? 200 : 503, "application/json", JSON.writeValueAsBytes(s));
        });
        server.createContext("/status", ex -> reply(ex, 200, "application/json", JSON.writeValueAsBytes(status())));
        server.createContext("/metrics", ex -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new PrometheusTextFormatWriter(false).write(out, metrics.registry.scrape());
            reply(ex, 200, PrometheusTextFormatWriter.CONTENT_TYPE, out.toByteArray());
        });
        server.createContext("/reload", ex -> {
            if (!"POST".equals(ex.getRequestMethod())) {
                reply(ex, 405, "application/json", JSON.writeValueAsBytes(Map.of("error", "use POST")));
                return;
            }
            try {
                List<String> changed = reload.call();
                reply(ex, 200, "application/json", JSON.writeValueAsBytes(Map.of("reloaded", true, "changed", changed)));
            } catch (ConfigException e) {
                reply(ex, 400, "application/json", JSON.writeValueAsBytes(Map.of("reloaded", false, "error", e.getMessage())));
            } catch (Exception e) {
                reply(ex, 500, "application/json", JSON.writeValueAsBytes(Map.of("reloaded", false, "error", String.valueOf(e))));
            }
        });
        server.start();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** What {@code meridian router status} prints. */
    public Map<String, Object> status() {
        RouterConfig config = live.get();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("router", config.name());
        s.put("cluster", config.cluster());
        s.put("region", config.region());
        ClusterView.Snapshot snap = view.snapshot();
        Optional<Member> leader = view.leader(config.leaderStaleAfter());
        s.put("applied_revision", snap == null ? null : snap.cluster().revision());
        s.put("view_age_ms", snap == null ? null : (System.nanoTime() - snap.confirmedNanos()) / 1_000_000);
        s.put("leader", leader.map(Member::name).orElse(null));
        s.put("read_write", leader.isPresent() ? "routing" : "refusing: " + view.whyNoLeader(config.leaderStaleAfter()));
        s.put("max_lag", config.reads().maxLag().toString());
        s.put("fallback", config.reads().fallback().name().toLowerCase(java.util.Locale.ROOT));
        s.put("connections", table.size());
        List<Map<String, Object>> nodes = new ArrayList<>();
        Cluster c = snap == null ? null : snap.cluster();
        if (c != null) {
            for (Member m : c.members()) {
                NodeLag l = lag.lag(m.name());
                Map<String, Object> n = new LinkedHashMap<>();
                n.put("name", m.name());
                n.put("region", m.region());
                n.put("address", m.hostPort());
                n.put("leader", c.isLeader(m.name()));
                n.put("in_recovery", l.fresh() ? l.inRecovery() : null);
                n.put("lsn", l.replayLsn() == null ? null : l.replayLsn().toString());
                n.put("lag_bytes", l.lagBytes());
                n.put("lag_ms", l.lagMillis());
                n.put("rtt_ms", l.rttNanos() < 0 ? null : l.rttNanos() / 1e6);
                n.put("fresh", l.fresh());
                n.put("connections", table.connections(m.name()));
                nodes.add(n);
            }
        }
        s.put("nodes", nodes);
        return s;
    }

    private static void reply(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
