package io.meridian.core.dcs;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.function.Supplier;
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
 * are told "changed" so they reload instead of sleeping on a dead watch. When the Dcs switches to
 * another etcd member, the watch moves to the new client from just after the newest change seen.
 */
final class ChangeSignal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeSignal.class);

    private final Supplier<Watch> client;
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

    /** @param client the watch client in use now (it changes when the Dcs switches members) */
    ChangeSignal(Supplier<Watch> client, ByteSequence prefix) {
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
        self[0] = client.get().watch(prefix, option, Watch.listener(this::onEvents, e -> onFailure(self[0], e)));
        // jetcd may report a failure from inside watch(); then the new watcher is already dead.
        watcher = failures == failuresBefore ? self[0] : null;
    }

    /**
     * The client changed. The old watch may sit on a silent connection: watch again through the new
     * client from just after {@code seen}. Events arrive in revision order, so every change from
     * {@code coveredFrom} to {@code seen} was already recorded; coverage is unchanged.
     */
    void moveToNewClient() {
        lock.lock();
        try {
            if (closed || watcher == null) {
                return;
            }
            long covered = coveredFrom;
            restart(Math.max(covered, seen + 1));
            coveredFrom = covered;
        } finally {
            lock.unlock();
        }
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
            if (closed || (failed != null && failed != watcher)) {
                return; // a watch already replaced, e.g. on the client closed by a member switch
            }
            LOG.warn("watch on {} failed, will re-create it on the next wait: {}", EtcdKeys.text(prefix),
                    error.getMessage());
            if (watcher != null) {
                watcher.close();
            }
            watcher = null;
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
