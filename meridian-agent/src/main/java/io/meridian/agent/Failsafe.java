package io.meridian.agent;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.config.NodeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Failsafe mode (opt-in, {@code failsafe_mode: true}): when etcd is unreachable, a primary may keep
 * running as long as every other member answers its {@code POST /failsafe} — proof that no part of
 * the cluster can be electing someone else without it. Members that heard from the leader within
 * {@code ttl} do not race for the key.
 *
 * <p>The risk, accepted by turning it on: correctness now rests on the member list the leader last
 * read from etcd. A member added while etcd was down is not asked; and a member that answers but
 * is itself cut off from etcd in a way the others are not is trusted. Without it, an etcd outage
 * makes the primary stop at its lease deadline: no writes until etcd is back, but no doubt either.
 */
final class Failsafe {

    private volatile NodeConfig node; // REST credentials change on SIGHUP
    private final HttpClient http;
    private volatile String heardFrom;
    private volatile long heardAtNanos;

    /** The node file re-read on SIGHUP: the next ping sends its REST credentials. */
    void nodeConfig(NodeConfig next) {
        this.node = next;
    }

    Failsafe(NodeConfig node) {
        this.node = node;
        this.http = io.meridian.core.tls.PemTls.restClient(node.restapi().tls()).connectTimeout(Duration.ofMillis(1000)).build();
    }

    /** Leader side: true when every other member of {@code last} accepted our ping. */
    boolean everyMemberAnswers(Cluster last) {
        String auth = "Basic " + Base64.getEncoder().encodeToString(
                (node.restapi().username() + ":" + node.restapi().password()).getBytes(StandardCharsets.UTF_8));
        List<CompletableFuture<HttpResponse<Void>>> asks = new ArrayList<>();
        for (Member m : last.members()) {
            if (m.name().equals(node.name()) || m.apiUrl() == null) {
                continue;
            }
            HttpRequest req = HttpRequest.newBuilder(URI.create(m.apiUrl() + "/failsafe"))
                    .timeout(Duration.ofMillis(1000)).header("Authorization", auth)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"leader\":\"" + node.name() + "\"}")).build();
            asks.add(http.sendAsync(req, HttpResponse.BodyHandlers.discarding()));
        }
        for (CompletableFuture<HttpResponse<Void>> f : asks) {
            try {
                if (f.get(1500, TimeUnit.MILLISECONDS).statusCode() != 200) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                return false;
            }
        }
        return true;
    }

    /** Member side: the leader pinged us. */
    void heard(String leader) {
        heardFrom = leader;
        heardAtNanos = System.nanoTime();
    }

    /** The leader that pinged us within {@code ttlMillis}, or null. */
    String recentLeader(long ttlMillis) {
        String who = heardFrom;
        return who != null && System.nanoTime() - heardAtNanos < TimeUnit.MILLISECONDS.toNanos(ttlMillis) ? who : null;
    }
}
