package io.meridian.core.dcs;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backs {@link Dcs#awaitChange}: one long-lived etcd watch over the cluster prefix (member records,
 * router reports and status excepted) that records the
 * newest revision it has seen, and a condition the HA loop waits on. One watch for the agent's
 * lifetime instead of one per cycle keeps etcd's watcher count flat.
 *
 * <p>The watch starts at the first caller's {@code revision + 1}, so nothing between that load and
 * the wait is missed. A caller asking about an older revision than the watch covers gets a new
 * watch from there. When the watch fails (etcd compacted the revision, client closing), waiters
 * are told "changed" so they reload instead of sleeping on a dead watch.
 */
final class ChangeSignal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeSignal.class);

    private final Watch client;
    private final ByteSequence prefix;
    private final String prefixText;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Watch.Watcher watcher;
    /** The watch reports every change with a revision at or above this one. */
    private long coveredFrom;
    /** Newest revision any event carried. */
    private long seen;
    /** Bumped whenever the watch dies, so waiters on the dead one wake and report a change. */
    private long failures;
    private boolean closed;

    ChangeSignal(Watch client, ByteSequence prefix) {
        this.client = client;
        this.prefix = prefix;
        this.prefixText = EtcdKeys.text(prefix);
    }

    boolean await(long revision, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            if (seen > revision) {
                return true;
            }
            if (closed) {
                return false;
            }
            if (watcher == null || revision + 1 < coveredFrom) {
                restart(revision + 1);
            }
            long failuresBefore = failures;
            while (seen <= revision && failures == failuresBefore && nanos > 0 && !closed) {
                nanos = changed.awaitNanos(nanos);
            }
            return seen > revision || failures != failuresBefore;
        } finally {
            lock.unlock();
        }
    }

    private void restart(long fromRevision) {
        if (watcher != null) {
            watcher.close();
        }
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(fromRevision).build();
        Watch.Watcher[] self = new Watch.Watcher[1];
        coveredFrom = fromRevision;
        long failuresBefore = failures;
        self[0] = client.watch(prefix, option, Watch.listener(this::onEvents, e -> onFailure(self[0], e)));
        // jetcd may report a failure from inside watch(); then the new watcher is already dead.
        watcher = failures == failuresBefore ? self[0] : null;
    }

    private void onEvents(WatchResponse response) {
        long newest = 0;
        for (WatchEvent event : response.getEvents()) {
            // Member records and the leader's status change every cycle on every node; waking on
            // them would have each agent's heartbeat wake all the others. Leadership, requests and
            // configuration are what the loop must react to at once. Router reports follow every
            // leader change (one per router); a new leader waiting for them polls them itself.
            String key = EtcdKeys.text(event.getKeyValue().getKey());
            String rest = key.startsWith(prefixText) ? key.substring(prefixText.length()) : key;
            if (rest.startsWith(EtcdKeys.MEMBERS) || rest.startsWith(EtcdKeys.ROUTERS) || rest.equals(EtcdKeys.STATUS)) {
                continue;
            }
            newest = Math.max(newest, event.getKeyValue().getModRevision());
        }
        if (newest == 0) {
            return;
        }
        lock.lock();
        try {
            seen = Math.max(seen, newest);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void onFailure(Watch.Watcher failed, Throwable error) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            LOG.warn("watch on {} failed, will re-create it on the next wait: {}", EtcdKeys.text(prefix),
                    error.getMessage());
            if (watcher == failed || failed == null) {
                if (watcher != null) {
                    watcher.close();
                }
                watcher = null;
            }
            failures++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (watcher != null) {
                watcher.close();
                watcher = null;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
