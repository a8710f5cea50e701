package io.meridian.core.dcs;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import io.meridian.core.cluster.Cluster;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link Dcs#watch} subscriber: delivers the current cluster at once, then a fresh
 * {@link Cluster} after every change under the prefix.
 *
 * <p>Events only trigger a reload (one range read), they are not applied incrementally, so the
 * subscriber always sees a whole record at one revision. A burst of events collapses into one
 * reload; records are delivered in revision order and never twice for the same revision. Reloads
 * and deliveries run on the Dcs's single watch thread. When the Dcs switches to another etcd
 * member, the subscription reloads and watches again through the new client.
 */
final class ClusterSubscription implements AutoCloseable {

    /** A reload: {@link EtcdDcs#load()} seen from here. */
    interface Loader {
        Cluster load() throws DcsException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ClusterSubscription.class);
    private static final long RETRY_MILLIS = 1000;

    private final Supplier<Watch> client;
    private final ByteSequence prefix;
    private final Loader loader;
    private final Consumer<Cluster> sink;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean reloadPending = new AtomicBoolean();
    private volatile boolean closed;
    private volatile Watch.Watcher watcher;
    private long delivered = -1;

    ClusterSubscription(Supplier<Watch> client, ByteSequence prefix, Loader loader, Consumer<Cluster> sink,
            ScheduledExecutorService executor) {
        this.client = client;
        this.prefix = prefix;
        this.loader = loader;
        this.sink = sink;
        this.executor = executor;
    }

    void start() {
        later(this::subscribe, 0);
    }

    /** Runs {@code task} on the watch thread; after close the executor refuses, which is fine. */
    private void later(Runnable task, long delayMillis) {
        try {
            executor.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("watch thread stopped, dropping a reload of {}", EtcdKeys.text(prefix));
        }
    }

    /** Load, deliver, then watch from the revision just after what was delivered. */
    private void subscribe() {
        if (closed) {
            return;
        }
        Cluster cluster = reload();
        if (cluster == null) {
            later(this::subscribe, RETRY_MILLIS);
            return;
        }
        Watch.Watcher previous = watcher;
        if (previous != null) {
            previous.close(); // at most one live watch, however many re-subscriptions were queued
        }
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(cluster.revision() + 1).build();
        watcher = client.get().watch(prefix, option, Watch.listener(this::onEvents, this::onFailure));
        if (closed) {
            watcher.close();
        }
    }

    /** The client changed: the old watch may sit on a silent connection, so reload and watch anew. */
    void moveToNewClient() {
        if (!closed) {
            later(this::subscribe, 0);
        }
    }

    private void onEvents(WatchResponse response) {
        if (!response.getEvents().isEmpty() && !closed && reloadPending.compareAndSet(false, true)) {
            later(this::reloadAfterChange, 0);
        }
    }

    private void reloadAfterChange() {
        reloadPending.set(false);
        // The watch is fine but the read failed: try again rather than miss this change.
        if (reload() == null && !closed && reloadPending.compareAndSet(false, true)) {
            later(this::reloadAfterChange, RETRY_MILLIS);
        }
    }

    private void onFailure(Throwable error) {
        if (closed) {
            return;
        }
        LOG.warn("watch on {} failed, subscribing again: {}", EtcdKeys.text(prefix), error.getMessage());
        Watch.Watcher dead = watcher;
        if (dead != null) {
            dead.close();
        }
        later(this::subscribe, RETRY_MILLIS);
    }

    /** Runs on the watch thread only. Returns the cluster read, or null when etcd did not answer. */
    private Cluster reload() {
        if (closed) {
            return null;
        }
        Cluster cluster;
        try {
            cluster = loader.load();
        } catch (DcsException e) {
            LOG.warn("cannot reload cluster after a change: {}", e.getMessage());
            return null;
        }
        if (cluster.revision() > delivered && !closed) {
            delivered = cluster.revision();
            try {
                sink.accept(cluster);
            } catch (RuntimeException e) {
                LOG.error("cluster subscriber failed on revision {}", cluster.revision(), e);
            }
        }
        return cluster;
    }

    @Override
    public void close() {
        closed = true;
        Watch.Watcher w = watcher;
        if (w != null) {
            w.close();
        }
    }
}
