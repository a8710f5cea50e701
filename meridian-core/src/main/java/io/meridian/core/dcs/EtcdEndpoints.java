package io.meridian.core.dcs;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.netty.handler.ssl.SslContext;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Maintenance;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The etcd members one process talks to, and the one jetcd client in use. The client sticks to one
 * member (pick_first); when that member stops answering (a black-holed path that never resets, or
 * a member cut off from the etcd majority that times out every request) the client is replaced by
 * one whose list starts at the next member, as Patroni's etcd client does.
 *
 * <p>Rule: a call that ends by its deadline, or with UNAVAILABLE, DEADLINE_EXCEEDED, "request
 * timed out" or "no leader", switches members when no call through the current client has
 * succeeded for retry_timeout (counted from when that client was opened). A member that answers
 * nothing is left at the end of the first call that timed out; one slow call while other threads'
 * calls succeed, or an etcd election shorter than retry_timeout, does not move us. Once away from
 * the first member (its own region's, by convention), the process asks it every ten retry timeouts
 * whether it answers and sees a leader, and goes back to it when it does (Patroni's client stays
 * wherever it landed: here that would be another region's member, a WAN round trip away).
 *
 * <p>Thread safety: a client and its service stubs form one immutable {@link Connection}, read once
 * per call. A switch replaces it atomically, tells the watches to move, then closes the old client,
 * which cancels the calls still on it; their failures are ignored since they report a connection
 * that is no longer current. Lease ids and revisions are cluster-wide: they stay valid.
 */
final class EtcdEndpoints implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdEndpoints.class);

    /** One client, the member it prefers, and the last time a call through it succeeded. */
    record Connection(Client client, String member, AtomicLong lastAnswerNanos) {
        KV kv() {
            return client.getKVClient();
        }

        Lease lease() {
            return client.getLeaseClient();
        }

        Watch watch() {
            return client.getWatchClient();
        }

        Maintenance maintenance() {
            return client.getMaintenanceClient();
        }

        io.etcd.jetcd.Cluster members() {
            return client.getClusterClient();
        }
    }

    private final List<String> endpoints;
    /** For https endpoints, or null. */
    private final SslContext ssl;
    /** retry_timeout: the cluster's, changed live by {@link #setRetry}. */
    private volatile Duration retry;
    private final List<Runnable> switchListeners = new CopyOnWriteArrayList<>();
    private volatile Connection current;
    private int first; // guarded by this
    private boolean closed; // guarded by this
    private final ScheduledExecutorService homeward;

    EtcdEndpoints(List<String> endpoints, Duration retry) {
        this(endpoints, retry, null);
    }

    /** @param tls for {@code https://} endpoints, or null */
    EtcdEndpoints(List<String> endpoints, Duration retry, EtcdTls tls) {
        this.endpoints = List.copyOf(endpoints);
        this.retry = retry;
        this.ssl = tls == null ? null : tls.sslContext();
        this.current = open(0);
        this.homeward = io.meridian.core.runtime.HaltOnError.singleThreadScheduled("meridian-etcd-homeward");
        if (this.endpoints.size() > 1) {
            scheduleHomeward();
        }
    }

    /**
     * A new retry_timeout: from now on for the switching rule, the homeward period and the next
     * client opened. The current client keeps its own connect and retry settings until it is
     * replaced; every call is bounded by its {@link CallDeadline} anyway.
     */
    void setRetry(Duration retry) {
        this.retry = retry;
    }

    /** One homeward try after the current period, then the next: a retry_timeout change moves the period too. */
    private void scheduleHomeward() {
        try {
            homeward.schedule(() -> {
                try {
                    tryHome();
                } finally {
                    scheduleHomeward();
                }
            }, homewardPeriod(retry).toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    /**
     * How often a process that left its first member asks whether it answers again: ten retry
     * timeouts (20 s by default), so a member that comes and goes costs at most one switch back per
     * period, while a process does not stay on another region's member, a WAN round trip away, for
     * good after one bad moment of its own.
     */
    static Duration homewardPeriod(Duration retry) {
        return retry.multipliedBy(10);
    }

    /**
     * Back to the first member when it answers and sees an etcd leader; done off the callers'
     * threads, with a client of its own for the probe, so no call waits on a member that may still
     * be silent.
     */
    private void tryHome() {
        synchronized (this) {
            if (closed || first == 0) {
                return;
            }
        }
        Duration retry = this.retry;
        try (Client probe = pinned(List.of(home()))) {
            StatusResponse s = probe.getMaintenanceClient().statusMember(home()).get(retry.toNanos(), TimeUnit.NANOSECONDS);
            if (s.getLeader() == 0) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            return; // still silent or cut off: try again next period
        }
        Connection back = open(0);
        Connection old;
        synchronized (this) {
            if (closed || first == 0) {
                back.client().close();
                return;
            }
            first = 0;
            old = current;
            current = back;
        }
        LOG.info("etcd member {} answers again; back to it from {}", back.member(), old.member());
        switchListeners.forEach(Runnable::run);
        old.client().close();
    }

    Connection current() {
        return current;
    }

    /**
     * A client pinned to one member, for a request only that member serves (a leadership transfer
     * goes to etcd's leader); the caller closes it.
     */
    Client pinned(List<String> memberUrls) {
        return withTls(Client.builder().endpoints(memberUrls.toArray(String[]::new)).loadBalancerPolicy("pick_first")
                .connectTimeout(retry)).build();
    }

    private ClientBuilder withTls(ClientBuilder b) {
        return ssl == null ? b : b.sslContext(ssl);
    }

    /** The member listed first: by convention the process's own region's. */
    String home() {
        return endpoints.get(0);
    }

    /** Runs after every switch, on the thread whose call failed, before the old client is closed. */
    void onSwitch(Runnable listener) {
        switchListeners.add(listener);
    }

    /** The member answered (a result or a definite error such as "lease not found"). */
    void answered(Connection c) {
        c.lastAnswerNanos().set(System.nanoTime());
    }

    /** A call failed; {@code error} is null when it ran out of time waiting. */
    void failed(Connection c, Throwable error) {
        if (error != null && !isUnanswered(error)) {
            answered(c);
            return;
        }
        long silent = System.nanoTime() - c.lastAnswerNanos().get();
        if (endpoints.size() < 2 || silent < this.retry.toNanos()) {
            return;
        }
        Connection next;
        synchronized (this) {
            if (closed || c != current) {
                return; // another thread switched already
            }
            first = (first + 1) % endpoints.size();
            next = open(first);
            current = next;
        }
        LOG.warn("etcd member {} did not answer for {} s; switching to {}", c.member(),
                String.format(Locale.ROOT, "%.1f", silent / 1e9), next.member());
        switchListeners.forEach(Runnable::run);
        c.client().close();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        homeward.shutdownNow();
        current.client().close();
    }

    private Connection open(int start) {
        Duration retry = this.retry;
        List<String> order = new ArrayList<>(endpoints.subList(start, endpoints.size()));
        order.addAll(endpoints.subList(0, start));
        Client client = withTls(Client.builder())
                .endpoints(order.toArray(String[]::new))
                // One member at a time, in the order given (the node's own region first): with
                // round robin, every call that lands on a member behind a silent network (a lost
                // region) hangs until gRPC's keepalive gives up on it, 10 s or more, so every HA
                // cycle of the surviving regions failed for that long. gRPC itself tries the next
                // member only when the connection fails; failed() covers a member that answers nothing.
                .loadBalancerPolicy("pick_first")
                .connectTimeout(retry)
                // jetcd retries unavailable endpoints by itself: short back-off steps (its defaults of
                // 0.5-2.5 s exceed a small retry_timeout) and never longer than our own budget.
                .retryDelay(20)
                .retryMaxDelay(Math.max(40, retry.toMillis() / 4))
                .retryMaxDuration(retry)
                // gRPC pings notice a silently dead connection (partition, stopped etcd) so the channel
                // moves to another endpoint; etcd refuses pings more often than every 5 s.
                .keepaliveTime(Duration.ofSeconds(10))
                .keepaliveTimeout(retry.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : retry)
                .build();
        return new Connection(client, order.get(0), new AtomicLong(System.nanoTime()));
    }

    /** Errors that say the member could not serve the request, as opposed to an answer. */
    static boolean isUnanswered(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EtcdException ee
                    && (ee.getErrorCode() == ErrorCode.UNAVAILABLE || ee.getErrorCode() == ErrorCode.DEADLINE_EXCEEDED)) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && (m.contains("request timed out") || m.contains("no leader")
                    || m.startsWith("UNAVAILABLE") || m.startsWith("DEADLINE_EXCEEDED"))) {
                return true;
            }
        }
        return false;
    }
}
