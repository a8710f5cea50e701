package io.meridian.router.lag;

import io.meridian.core.cluster.Lsn;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * When the router first saw the leader at each WAL position. Lets it turn "replayed up to L" into
 * "behind by T milliseconds" on its own monotonic clock, so clock skew between hosts and idle
 * periods (when {@code pg_last_xact_replay_timestamp()} only ages) never look like lag.
 */
final class LeaderLsnHistory {

    private static final int MAX_ENTRIES = 8192;
    private static final long KEEP_NANOS = 600_000_000_000L;

    private record Entry(Lsn lsn, long atNanos) {
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    synchronized void record(Lsn lsn, long atNanos) {
        Entry last = entries.peekLast();
        if (last != null && !lsn.isAfter(last.lsn())) {
            if (lsn.compareTo(last.lsn()) < 0) {
                entries.clear(); // a new leader on an older position: the old history says nothing
            } else {
                return;
            }
        }
        entries.addLast(new Entry(lsn, atNanos));
        while (entries.size() > MAX_ENTRIES || atNanos - entries.peekFirst().atNanos() > KEEP_NANOS) {
            entries.removeFirst();
        }
    }

    synchronized void clear() {
        entries.clear();
    }

    /** Newest leader position, or null before the first probe. */
    synchronized Lsn latest() {
        Entry last = entries.peekLast();
        return last == null ? null : last.lsn();
    }

    /**
     * Milliseconds since the leader first held WAL beyond {@code replayed}: 0 when the replica has
     * everything the router has seen, -1 when nothing is known.
     */
    synchronized long lagMillis(Lsn replayed, long nowNanos) {
        Entry last = entries.peekLast();
        if (last == null) {
            return -1;
        }
        if (!last.lsn().isAfter(replayed)) {
            return 0;
        }
        Iterator<Entry> it = entries.iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.lsn().isAfter(replayed)) {
                return Math.max(0, (nowNanos - e.atNanos()) / 1_000_000);
            }
        }
        return -1;
    }
}
