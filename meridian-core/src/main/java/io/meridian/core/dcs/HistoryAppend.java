package io.meridian.core.dcs;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
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
 * <p>Events stay in timeline order. Idempotent: an event already present (same timeline and new leader) is not added twice, so a
 * caller may safely retry after a timeout that left it unsure whether the write landed.
 */
final class HistoryAppend {

    private HistoryAppend() {
    }

    static void append(ByteSequence key, TimelineEvent event, CallDeadline deadline) throws DcsException {
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
            boolean present = history.stream().anyMatch(h -> h.timeline() == event.timeline()
                    && Objects.equals(h.newLeader(), event.newLeader()));
            if (present) {
                return;
            }
            // In timeline order: a promotion recorded late (etcd did not take it in time) goes
            // before any later one that landed first.
            int at = history.size();
            while (at > 0 && history.get(at - 1).timeline() > event.timeline()) {
                at--;
            }
            history.add(at, event);
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
