package io.meridian.router.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.PutOption;
import io.meridian.router.config.RouterConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells etcd which cluster state this router has applied, as Stolon's proxies report the generation
 * they run: key {@code <namespace>/<cluster>/routers/<name>}, value
 * {@code {"router","region","revision","leader","updated_at"}}, where {@code revision} is the etcd
 * revision of the cluster record whose leader the router follows. It is written once the
 * read-write sessions to any other server are closed, so an agent that sees a router at
 * {@code revision >= } the new leader key's revision knows that router sends writes nowhere else.
 *
 * <p>The key is bound to a lease of {@code leader.stale_after} (at least 2 s): a router that stops,
 * or cannot reach etcd for that long, drops out of the set an agent waits for, and it is the same
 * bound after which the router refuses new read-write connections by itself.
 */
public final class RevisionPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RevisionPublisher.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CALL_TIMEOUT_MILLIS = 2000;

    private record Applied(long revision, String leader, CompletableFuture<?> closed) {
    }

    private final Client client;
    private final ByteSequence key;
    private final String keyText;
    private final RouterConfig config;
    private final long ttlSeconds;
    private final ScheduledExecutorService worker;
    private volatile Applied latest;
    /** Confined to the worker thread; 0 when no lease is held. */
    private volatile long leaseId;
    private String lastError;

    public RevisionPublisher(RouterConfig config) {
        this.config = config;
        this.keyText = keyOf(config.etcd().namespace(), config.cluster(), config.name());
        this.key = ByteSequence.from(keyText, StandardCharsets.UTF_8);
        this.ttlSeconds = Math.max(2, (long) Math.ceil(config.leaderStaleAfter().toMillis() / 1000.0));
        io.etcd.jetcd.ClientBuilder b = Client.builder().endpoints(config.etcd().endpoints().toArray(String[]::new));
        io.meridian.core.dcs.EtcdTls tls = io.meridian.core.dcs.EtcdTls.forEndpoints(config.etcd().endpoints(), config.etcd().tls());
        this.client = (tls == null ? b : tls.applyTo(b)).build();
        this.worker = io.meridian.core.runtime.HaltOnError.singleThreadScheduled("meridian-router-publish");
        // Three renewals per lease lifetime: one lost keepalive never drops the key on its own.
        worker.scheduleWithFixedDelay(this::renew, ttlSeconds * 1000 / 3, ttlSeconds * 1000 / 3, TimeUnit.MILLISECONDS);
    }

    /** {@code /meridian/demo/routers/router-paris-1}. */
    public static String keyOf(String namespace, String cluster, String router) {
        return (namespace.equals("/") ? "" : namespace) + "/" + cluster + "/routers/" + router;
    }

    public String key() {
        return keyText;
    }

    /**
     * Records that the router follows {@code leader} (null: none) as of {@code revision}; written
     * once {@code closed} completes (the old leader's sessions are gone), on the publisher's thread.
     */
    public void applied(long revision, String leader, CompletableFuture<?> closed) {
        latest = new Applied(revision, leader, closed);
        worker.execute(this::write);
    }

    private void write() {
        Applied a = latest;
        if (a == null) {
            return;
        }
        try {
            a.closed().get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException e) {
            // Event loops that do not run for seconds relay nothing either: the old sessions are not moving bytes.
            LOG.warn("router {}: closing the old leader's sessions took over {} ms; publishing anyway", config.name(), CALL_TIMEOUT_MILLIS);
        }
        try {
            if (leaseId == 0) {
                leaseId = client.getLeaseClient().grant(ttlSeconds).get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).getID();
            }
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("router", config.name());
            v.put("region", config.region());
            v.put("revision", a.revision());
            v.put("leader", a.leader());
            v.put("updated_at", Instant.now().toString());
            client.getKVClient().put(key, ByteSequence.from(JSON.writeValueAsBytes(v)),
                    PutOption.builder().withLeaseId(leaseId).build()).get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            lastError = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | java.io.IOException e) {
            // The lease may be gone (etcd restarted, long partition): grant a fresh one next time.
            leaseId = 0;
            warnOnce("router " + config.name() + " cannot publish its applied revision to " + keyText + ": " + e);
        }
    }

    private void renew() {
        if (leaseId == 0) {
            write();
            return;
        }
        try {
            client.getLeaseClient().keepAliveOnce(leaseId).get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            leaseId = 0;
            write();
        }
    }

    private void warnOnce(String message) {
        if (!message.equals(lastError)) {
            LOG.warn(message);
            lastError = message;
        }
    }

    /** Revokes the lease, so agents stop waiting for this router at once rather than after the TTL. */
    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            if (leaseId != 0) {
                client.getLeaseClient().revoke(leaseId).get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("revoking the lease of {} failed: {}", keyText, e.toString());
        } finally {
            client.close();
        }
    }
}
