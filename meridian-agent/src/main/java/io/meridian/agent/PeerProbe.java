package io.meridian.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
import io.meridian.core.failover.Candidate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Asks every other member's agent for its status, in parallel, when the leader is gone: member keys
 * can be a loop old, and the race must compare positions as they are now (Patroni does the same
 * through {@code GET /patroni}). A member that does not answer within the timeout is unreachable.
 */
final class PeerProbe {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final HttpClient http;
    private final Duration timeout;

    PeerProbe(Duration timeout) {
        this(timeout, null);
    }

    /** @param tls the REST API's TLS settings: their authority checks the other agents' certificates */
    PeerProbe(Duration timeout, io.meridian.core.config.NodeConfig.RestTls tls) {
        this.timeout = timeout;
        this.http = io.meridian.core.tls.PemTls.restClient(tls).connectTimeout(timeout).build();
    }

    /** Candidates for every member but {@code self}, plus {@code selfCandidate} unless it is null. */
    List<Candidate> candidates(Cluster cluster, String self, Candidate selfCandidate) {
        Map<String, CompletableFuture<NodeStatus>> asks = new java.util.LinkedHashMap<>();
        for (Member m : cluster.members()) {
            if (!m.name().equals(self) && m.apiUrl() != null) {
                asks.put(m.name(), fetch(m.apiUrl()));
            }
        }
        List<Candidate> out = new ArrayList<>();
        if (selfCandidate != null) {
            out.add(selfCandidate);
        }
        for (Member m : cluster.members()) {
            if (m.name().equals(self)) {
                continue;
            }
            NodeStatus s = null;
            CompletableFuture<NodeStatus> f = asks.get(m.name());
            if (f != null) {
                try {
                    s = f.get(timeout.toMillis() + 200, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    s = null;
                }
            }
            out.add(s == null
                    ? new Candidate(m.name(), m.region(), m.tags(), m.isRunning(), m.role() == Role.REPLICA,
                            m.timeline(), m.lsn(), m.isStreaming(), false)
                    : new Candidate(s.name(), s.region(), s.tags(), "running".equals(s.state()), s.inRecovery(),
                            s.timeline(), io.meridian.core.cluster.Lsn.max(s.receiveLsn(), s.replayLsn()),
                            s.replicating(), true));
        }
        return out;
    }

    /** One member's status, or null when it did not answer. */
    NodeStatus status(String apiUrl) {
        try {
            return fetch(apiUrl).get(timeout.toMillis() + 200, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    private CompletableFuture<NodeStatus> fetch(String apiUrl) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(apiUrl + "/status")).timeout(timeout).GET().build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).thenApply(r -> {
            try {
                return JSON.readValue(r.body(), NodeStatus.class);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
