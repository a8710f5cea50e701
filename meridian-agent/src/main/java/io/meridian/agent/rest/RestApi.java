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
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP API on the JDK's HTTP server. Health checks answer GET, HEAD and OPTIONS with
 * 200 or 503 like Patroni's; status endpoints return JSON; mutating endpoints require HTTP Basic
 * credentials from the node file and answer 401 without them.
 */
public final class RestApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private static final int MAX_BODY = 64 * 1024;

    static {
        // The JDK server sends headers and body in separate writes; with Nagle on, a keep-alive client
        // (Prometheus, the dashboard) waits out the peer's delayed ACK, ~40 ms a request. It is read
        // once, when the first HttpServer is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final AgentEndpoints endpoints;
    private final byte[] expectedAuth;

    public RestApi(HostPort listen, String username, String password, AgentEndpoints endpoints) throws IOException {
        this(listen, username, password, null, endpoints);
    }

    /** @param tls HTTPS with this certificate and key, or null for plain HTTP */
    public RestApi(HostPort listen, String username, String password, io.meridian.core.config.NodeConfig.RestTls tls,
                   AgentEndpoints endpoints) throws IOException {
        this.endpoints = endpoints;
        this.expectedAuth = ("Basic " + Base64.getEncoder().encodeToString(
                (username + ":" + password).getBytes(StandardCharsets.UTF_8))).getBytes(StandardCharsets.UTF_8);
        InetSocketAddress at = new InetSocketAddress(listen.host(), listen.port());
        if (tls == null) {
            this.server = HttpServer.create(at, 64);
        } else {
            com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(at, 64);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(
                    io.meridian.core.tls.PemTls.server(tls.certificate(), tls.privateKey())));
            this.server = https;
        }
        this.server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "rest-api");
            t.setDaemon(true);
            return t;
        }));
        this.server.createContext("/", this::handle);
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            Response r;
            try {
                r = route(ex, method, path, query);
            } catch (ConfigException | IllegalArgumentException e) {
                r = Response.json(400, Map.of("error", e.getMessage()));
            } catch (IllegalStateException e) {
                r = Response.json(409, Map.of("error", e.getMessage()));
            } catch (Exception e) {
                LOG.warn("{} {} failed: {}", method, path, e.toString());
                r = Response.json(500, Map.of("error", String.valueOf(e.getMessage())));
            }
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
            int health = endpoints.health(path, query);
            if (health != 404) {
                return "GET".equals(method) ? Response.json(health, endpoints.status()) : Response.empty(health);
            }
            return switch (path) {
                case "/status", "/patroni" -> Response.json(200, endpoints.status());
                case "/cluster" -> Response.json(200, clusterWithRouters());
                case "/history" -> Response.json(200, endpoints.cluster().history());
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
            case "POST /restart" -> endpoints.operator("restart");
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

    static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
