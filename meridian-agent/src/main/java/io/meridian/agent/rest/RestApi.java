package io.meridian.agent.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.meridian.core.config.ConfigException;
import io.meridian.core.config.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP API on the JDK's HTTP server. Health checks answer GET, HEAD and OPTIONS with
 * 200 or 503 like Patroni's; status endpoints return JSON; mutating endpoints require HTTP Basic
 * credentials from the node file and answer 401 without them. At Patroni's URLs ({@code /patroni},
 * {@code /cluster}, {@code /history}, {@code /restart}) the answers take Patroni's shape; Meridian's
 * own records are under {@code /meridian/} (docs/rest-api.md).
 *
 * <p>Three lanes, so that a load balancer's check is never queued behind an operator: probes (the
 * health paths, {@code /status}, {@code /metrics}, failsafe pings) are answered on the server's own
 * threads; operations that wait for the HA loop or a new leader ({@code /restart},
 * {@code /reinitialize}, {@code /reload}, {@code /switchover}, {@code /failover}: up to minutes)
 * run on a bounded pool of their own; everything else (reads and writes of etcd, the dashboard) on a
 * third. A full pool answers 503 at once rather than queueing without end.
 */
public final class RestApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private static final int MAX_BODY = 64 * 1024;

    /** Seconds a client has to send its request line, headers and body (slowloris: a thread waits meanwhile). */
    static final int REQUEST_SECONDS = 10;
    /**
     * Seconds from the end of the request to the end of the answer, handler included: above the
     * longest operation (an operator task waits up to {@link #OPERATION_MINUTES} for the HA loop) so
     * that only a client that stops reading is cut.
     */
    static final int RESPONSE_SECONDS = 11 * 60;
    /** How long {@code /restart}, {@code /reinitialize} and {@code /reload} wait for the HA loop. */
    public static final int OPERATION_MINUTES = 10;
    private static final int PROBE_THREADS = 64;
    private static final int OPERATION_THREADS = 8;
    private static final int REQUEST_THREADS = 4;
    private static final int REQUEST_QUEUE = 64;

    static {
        // The JDK server sends headers and body in separate writes; with Nagle on, a keep-alive client
        // (Prometheus, the dashboard) waits out the peer's delayed ACK, ~40 ms a request. These are
        // read once, when the first HttpServer is created; a -D on the command line wins.
        setDefault("sun.net.httpserver.nodelay", "true");
        // The JDK server has no timeouts unless asked: a client that sends half a request holds a
        // thread forever. Its timer closes such a connection (checked every second).
        setDefault("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS));
        setDefault("sun.net.httpserver.maxRspTime", Integer.toString(RESPONSE_SECONDS));
    }

    private static void setDefault(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    private enum Lane { PROBE, OPERATION, REQUEST }

    private final HttpServer server;
    private final AgentEndpoints endpoints;
    private volatile byte[] expectedAuth;
    private final ThreadPoolExecutor operations;
    private final ThreadPoolExecutor requests;

    public RestApi(HostPort listen, String username, String password, AgentEndpoints endpoints) throws IOException {
        this(listen, username, password, null, endpoints);
    }

    /** The Basic credentials mutating requests must carry; changed by the agent's SIGHUP, checked from the next request on. */
    public void credentials(String username, String password) {
        this.expectedAuth = ("Basic " + Base64.getEncoder().encodeToString(
                (username + ":" + password).getBytes(StandardCharsets.UTF_8))).getBytes(StandardCharsets.UTF_8);
    }

    /** @param tls HTTPS with this certificate and key, or null for plain HTTP */
    public RestApi(HostPort listen, String username, String password, io.meridian.core.config.NodeConfig.RestTls tls,
                   AgentEndpoints endpoints) throws IOException {
        this.endpoints = endpoints;
        credentials(username, password);
        InetSocketAddress at = new InetSocketAddress(listen.host(), listen.port());
        if (tls == null) {
            this.server = HttpServer.create(at, 64);
        } else {
            com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(at, 64);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(
                    io.meridian.core.tls.PemTls.server(tls.certificate(), tls.privateKey())));
            this.server = https;
        }
        this.server.setExecutor(probes());
        this.operations = pool("rest-operation", OPERATION_THREADS, new SynchronousQueue<>());
        this.requests = pool("rest-request", REQUEST_THREADS, new ArrayBlockingQueue<>(REQUEST_QUEUE));
        this.server.createContext("/", this::dispatch);
    }

    /**
     * The server's own executor, which also reads every request's line and headers (the JDK server
     * does that on the executor's threads): it grows to {@link #PROBE_THREADS} before queueing, so
     * that it takes that many clients sending half a request, all at once, to delay a health check,
     * and then only until {@link #REQUEST_SECONDS} cuts them.
     */
    private static ThreadPoolExecutor probes() {
        GrowFirst queue = new GrowFirst();
        ThreadPoolExecutor pool = pool("rest-probe", PROBE_THREADS, queue);
        pool.setCorePoolSize(4);
        pool.setRejectedExecutionHandler((r, p) -> {
            if (!p.isShutdown()) {
                queue.enqueue(r); // every thread busy: wait for one
            }
        });
        return pool;
    }

    /** A queue that tells the pool it is full, so the pool starts a thread; the pool's rejection really queues. */
    private static final class GrowFirst extends LinkedBlockingQueue<Runnable> {
        @Override
        public boolean offer(Runnable r) {
            return false;
        }

        void enqueue(Runnable r) {
            super.offer(r);
        }
    }

    /**
     * Daemon threads; {@code execute}, never {@code submit}, so an Error reaches the process's
     * uncaught-exception handler instead of a future nobody reads.
     */
    private static ThreadPoolExecutor pool(String name, int threads, BlockingQueue<Runnable> queue) {
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, queue, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** On a probe thread: answers a probe here, hands anything else to its lane. */
    private void dispatch(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        Lane lane = lane(method, path);
        if (lane == Lane.PROBE) {
            answer(ex);
            return;
        }
        ThreadPoolExecutor pool = lane == Lane.OPERATION ? operations : requests;
        try {
            pool.execute(() -> {
                try {
                    answer(ex);
                } catch (IOException e) {
                    LOG.debug("{} {}: the client went away: {}", method, path, e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            try (ex) {
                send(ex, method, Response.json(503, Map.of("error", "busy: " + pool.getActiveCount() + " "
                        + (lane == Lane.OPERATION ? "operations" : "requests") + " in progress; try again later")));
            }
        }
    }

    static Lane lane(String method, String path) {
        if (HealthCheck.PATHS.contains(path)) {
            return Lane.PROBE;
        }
        return switch (method + " " + path) {
            case "GET /status", "HEAD /status", "GET /meridian/status", "GET /patroni", "HEAD /patroni", "GET /metrics",
                 "POST /failsafe" -> Lane.PROBE;
            case "POST /switchover", "POST /failover", "POST /restart", "POST /reinitialize", "POST /reload" -> Lane.OPERATION;
            default -> Lane.REQUEST;
        };
    }

    private void answer(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            Response r;
            try {
                r = route(ex, method, path, query(ex.getRequestURI().getRawQuery()));
            } catch (ConfigException | IllegalArgumentException e) {
                r = Response.json(400, Map.of("error", oneLine(e.getMessage())));
            } catch (IllegalStateException e) {
                r = Response.json(409, Map.of("error", e.getMessage()));
            } catch (Exception e) {
                LOG.warn("{} {} failed: {}", method, path, e.toString());
                r = Response.json(500, Map.of("error", String.valueOf(e.getMessage())));
            }
            send(ex, method, r);
        }
    }

    private static void send(HttpExchange ex, String method, Response r) throws IOException {
        ex.getResponseHeaders().set("Content-Type", r.contentType());
        boolean noBody = "HEAD".equals(method) || "OPTIONS".equals(method);
        if (noBody || r.body().length == 0) {
            ex.sendResponseHeaders(r.status(), -1);
        } else {
            ex.sendResponseHeaders(r.status(), r.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        }
    }

    private static String oneLine(String message) {
        return message == null ? "bad request" : message.lines().findFirst().orElse("bad request");
    }

    /** The cluster record plus a {@code routers} array: what each router reports it has applied. */
    private Object clusterWithRouters() {
        ObjectNode out = JSON.valueToTree(endpoints.cluster());
        out.set("routers", JSON.valueToTree(endpoints.routers()));
        return out;
    }

    private Response route(HttpExchange ex, String method, String path, Map<String, String> query) throws Exception {
        boolean read = "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method);
        if (read) {
            if (HealthCheck.PATHS.contains(path)) {
                HealthCheck.validate(query);
                return endpoints.healthCheck(path, query, "GET".equals(method));
            }
            return switch (path) {
                case "/status", "/meridian/status" -> Response.json(200, endpoints.status());
                case "/patroni" -> Response.json(200, endpoints.patroni());
                case "/cluster" -> Response.json(200, PatroniCluster.of(endpoints.cluster()));
                case "/meridian/cluster" -> Response.json(200, clusterWithRouters());
                case "/history" -> Response.json(200, PatroniCluster.history(endpoints.cluster().history()));
                case "/meridian/history" -> Response.json(200, endpoints.cluster().history());
                case "/config" -> Response.json(200, endpoints.cluster().config());
                case "/metrics" -> new Response(200, "text/plain; version=0.0.4; charset=utf-8",
                        endpoints.metrics().getBytes(StandardCharsets.UTF_8));
                case "/dashboard/data" -> Response.json(200, endpoints.dashboardData());
                default -> path.startsWith("/dashboard") ? Dashboard.serve(path) : Response.json(404, Map.of("error", "no such endpoint: " + path));
            };
        }
        if (!authorized(ex)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"meridian\"");
            return Response.json(401, Map.of("error", "credentials required"));
        }
        String body = body(ex);
        return switch (method + " " + path) {
            case "POST /switchover" -> endpoints.switchover(body, false);
            case "POST /failover" -> endpoints.switchover(body, true);
            case "DELETE /switchover" -> endpoints.cancelSwitchover();
            case "POST /restart" -> endpoints.restart(body);
            case "DELETE /restart" -> endpoints.cancelRestart();
            case "POST /reload" -> endpoints.operator("reload");
            case "POST /reinitialize" -> endpoints.operator("reinitialize");
            case "POST /failsafe" -> endpoints.failsafe(body);
            case "PATCH /config" -> endpoints.patchConfig(body, false);
            case "PUT /config" -> endpoints.patchConfig(body, true);
            default -> Response.json(405, Map.of("error", method + " is not allowed on " + path));
        };
    }

    private boolean authorized(HttpExchange ex) {
        String given = ex.getRequestHeaders().getFirst("Authorization");
        // Constant-time comparison: the response time must not reveal how much of a guess was right.
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expectedAuth);
    }

    private static String body(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(MAX_BODY + 1);
            if (b.length > MAX_BODY) {
                throw new IllegalArgumentException("request body over " + MAX_BODY + " bytes");
            }
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    /** The decoded query parameters; IllegalArgumentException (a 400) naming a bad percent-escape. */
    static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                out.put(k, v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed query string: bad percent-escape in \"" + kv + "\"");
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        operations.shutdownNow();
        requests.shutdownNow();
    }
}
