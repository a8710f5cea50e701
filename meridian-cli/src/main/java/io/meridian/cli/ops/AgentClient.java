package io.meridian.cli.ops;

import io.meridian.core.console.CliException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Calls one agent's REST API. Mutating calls carry HTTP Basic credentials from the node file or
 * the environment; they are sent in a header, never shown.
 */
final class AgentClient {

    private final HttpClient http;
    private final String baseUrl;
    private final String authorization;

    AgentClient(String baseUrl, String user, String password) {
        this(baseUrl, user, password, null);
    }

    /** @param tls the node file's restapi.tls, whose authority checks the agents' HTTPS certificates, or null */
    AgentClient(String baseUrl, String user, String password, io.meridian.core.config.NodeConfig.RestTls tls) {
        this.http = io.meridian.core.tls.PemTls.restClient(tls).connectTimeout(Duration.ofSeconds(3)).build();
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = user == null || password == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    record Reply(int status, String body) {
    }

    /** POSTs a JSON body; a non-2xx answer becomes an error naming the URL and the agent's words. */
    Reply post(String path, String json, Duration timeout) {
        return send("POST", path, json, timeout);
    }

    /** As {@link #post}, with another method ({@code PATCH}, {@code PUT}). */
    Reply send(String method, String path, String json, Duration timeout) {
        if (authorization == null) {
            throw new CliException("no REST credentials for " + baseUrl + path
                    + ": use -c node.yml, or set MERIDIAN_REST_USER and MERIDIAN_REST_PASSWORD");
        }
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .header("Content-Type", "application/json").header("Authorization", authorization)
                .method(method, HttpRequest.BodyPublishers.ofString(json)).build();
        Reply r = send(req, path);
        if (r.status() == 401 || r.status() == 403) {
            throw new CliException(baseUrl + path + ": the agent refused the credentials (HTTP " + r.status() + ")");
        }
        if (r.status() / 100 != 2) {
            throw new CliException(baseUrl + path + ": HTTP " + r.status() + ": " + oneLine(r.body()));
        }
        return r;
    }

    /**
     * POSTs and returns whatever the agent answered, any status; empty when it cannot be reached,
     * so the caller can fall back to writing etcd itself.
     */
    java.util.Optional<Reply> tryPost(String path, String json, Duration timeout) {
        if (authorization == null) {
            return java.util.Optional.empty();
        }
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .header("Content-Type", "application/json").header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        try {
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            return java.util.Optional.of(new Reply(resp.statusCode(), resp.body()));
        } catch (IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while calling " + baseUrl + path, e);
        }
    }

    /** GETs a read-only endpoint (no credentials); empty when the agent cannot be reached in time. */
    java.util.Optional<Reply> get(String path, Duration timeout) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout).GET().build();
        try {
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            return java.util.Optional.of(new Reply(resp.statusCode(), resp.body()));
        } catch (IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }

    /** DELETEs (cancelling something scheduled) and returns whatever the agent answered, any status. */
    Reply delete(String path, Duration timeout) {
        if (authorization == null) {
            throw new CliException("no REST credentials for " + baseUrl + path
                    + ": use -c node.yml, or set MERIDIAN_REST_USER and MERIDIAN_REST_PASSWORD");
        }
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .header("Authorization", authorization).DELETE().build();
        Reply r = send(req, path);
        if (r.status() == 401 || r.status() == 403) {
            throw new CliException(baseUrl + path + ": the agent refused the credentials (HTTP " + r.status() + ")");
        }
        return r;
    }

    /** The agent's own words from a JSON answer ({@code error} or {@code message}), else the body. */
    static String said(Reply r) {
        try {
            var node = io.meridian.core.console.JsonOutput.MAPPER.readTree(r.body());
            for (String key : new String[] {"error", "message"}) {
                if (node != null && node.hasNonNull(key)) {
                    return node.get(key).asText();
                }
            }
        } catch (IOException notJson) {
            // fall through to the raw body
        }
        return oneLine(r.body());
    }

    private Reply send(HttpRequest req, String path) {
        try {
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            return new Reply(resp.statusCode(), resp.body());
        } catch (IOException e) {
            throw new CliException("agent at " + baseUrl + path + " did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while calling " + baseUrl + path, e);
        }
    }

    static String oneLine(String body) {
        if (body == null || body.isBlank()) {
            return "(no message)";
        }
        String s = body.strip().replaceAll("\\s+", " ");
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
