package io.meridian.core.dcs;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.meridian.core.cluster.LostTransactions;
import io.meridian.core.cluster.TimelineEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Appends to {@code /history}, one JSON array of leadership changes, oldest first. etcd has no
 * append, so this is read, add, compare-and-set on the mod revision, repeated until it lands or
 * the call's deadline passes.
 *
 * <p>A node that lost commits in a failover attaches their record to that failover's event
 * ({@link #attachLost}), through the same compare-and-set.
 *
 * <p>Events stay in timeline order. Idempotent: an event already present (same timeline and new leader) is not added twice, so a
 * caller may safely retry after a timeout that left it unsure whether the write landed.
 */
final class HistoryAppend {

    private HistoryAppend() {
    }

    static void append(ByteSequence key, TimelineEvent event, CallDeadline deadline) throws DcsException {
        update(key, history -> {
            boolean present = history.stream().anyMatch(h -> h.timeline() == event.timeline()
                    && Objects.equals(h.newLeader(), event.newLeader()));
            if (present) {
                return false;
            }
            // In timeline order: a promotion recorded late (etcd did not take it in time) goes
            // before any later one that landed first.
            int at = history.size();
            while (at > 0 && history.get(at - 1).timeline() > event.timeline()) {
                at--;
            }
            history.add(at, event);
            return true;
        }, deadline);
    }

    /**
     * Attaches {@code lost} to the promotion that left its node behind: the event of
     * {@code lost.toTimeline()}, else the first one after {@code lost.fromTimeline()}. Idempotent
     * like {@link #append}: the same save recorded twice is one record.
     */
    static void attachLost(ByteSequence key, LostTransactions lost, CallDeadline deadline) throws DcsException {
        update(key, history -> {
            int at = -1;
            for (int i = 0; i < history.size(); i++) {
                if (history.get(i).timeline() == lost.toTimeline()) {
                    at = i;
                    break;
                }
                if (at < 0 && history.get(i).timeline() > lost.fromTimeline()) {
                    at = i;
                }
            }
            if (at < 0) {
                throw new DcsException("no promotion after timeline " + lost.fromTimeline() + " in "
                        + EtcdKeys.text(key) + " to attach " + lost.member() + "'s lost transactions to");
            }
            if (history.get(at).lost().contains(lost)) {
                return false;
            }
            history.set(at, history.get(at).withLost(lost));
            return true;
        }, deadline);
    }

    /** A change of the history list in place; false when there is nothing to write. */
    private interface Change {
        boolean apply(List<TimelineEvent> history) throws DcsException;
    }

    private static void update(ByteSequence key, Change change, CallDeadline deadline) throws DcsException {
        while (true) {
            GetResponse current = deadline.await(deadline.kv().get(key), "history read");
            List<TimelineEvent> history = new ArrayList<>();
            long version = 0;
            if (!current.getKvs().isEmpty()) {
                KeyValue kvPair = current.getKvs().get(0);
                version = kvPair.getModRevision();
                try {
                    history.addAll(ClusterCodec.history(kvPair.getValue()));
                } catch (IOException e) {
                    // Starting over would erase the record of past promotions: refuse instead.
                    throw new DcsException("history key " + EtcdKeys.text(key) + " holds invalid JSON: "
                            + e.getMessage(), e);
                }
            }
            if (!change.apply(history)) {
                return;
            }
            Cmp cmp = version == 0
                    ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0))
                    : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(version));
            boolean written = deadline.await(deadline.kv().txn().If(cmp)
                    .Then(Op.put(key, ClusterCodec.encode(history), PutOption.DEFAULT)).commit(),
                    "history compare-and-set").isSucceeded();
            if (written) {
                return;
            }
        }
    }
}
