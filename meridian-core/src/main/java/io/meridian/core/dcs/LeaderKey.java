package io.meridian.core.dcs;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;

/**
 * The leader key: holds the leader's member name and is bound to its agent's lease, so it
 * disappears when that agent stops renewing. Every change is one etcd transaction.
 */
final class LeaderKey {

    private final ByteSequence key;
    private final AgentLease lease;

    LeaderKey(ByteSequence key, AgentLease lease) {
        this.key = key;
        this.lease = lease;
    }

    /** Atomic create: succeeds only if no leader key exists (create revision 0). */
    boolean acquire(String member, CallDeadline d) throws DcsException {
        return lease.write(d, "leader key create", id -> d.kv().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(key, EtcdKeys.bytes(member), EtcdDcs.leased(id)))
                .commit()).isSucceeded();
    }

    /** Keepalive on our lease, then a transaction checking the key still names {@code member}. */
    boolean renew(String member, CallDeadline d) throws DcsException {
        long id = lease.id();
        if (id != 0 && !lease.renew(d)) {
            return false; // lease expired etcd-side: the leader key went with it
        }
        if (id == 0) {
            // No lease in this process yet (agent restarted while leading): take a fresh one; the
            // check below then adopts a leader key that still names us. After an expiry noticed
            // earlier the key is already gone, so the check fails as it must.
            id = lease.ensure(d);
        }
        ByteSequence name = EtcdKeys.bytes(member);
        TxnResponse check = d.await(d.kv().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(name)))
                .Then(Op.get(key, GetOption.DEFAULT))
                .commit(), "leader key check");
        if (!check.isSucceeded()) {
            return false;
        }
        KeyValue current = check.getGetResponses().get(0).getKvs().get(0);
        if (current.getLease() == id) {
            return true;
        }
        // The key names us but hangs on a lease of an earlier run of this agent, which will lapse:
        // bind it to our lease, unless anything touched it since we looked.
        return d.await(d.kv().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(current.getModRevision())))
                .Then(Op.put(key, name, EtcdDcs.leased(id)))
                .commit(), "leader key adoption").isSucceeded();
    }

    /** Deletes the key only if it still names {@code member}. */
    boolean release(String member, CallDeadline d) throws DcsException {
        return d.await(d.kv().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(EtcdKeys.bytes(member))))
                .Then(Op.delete(key, DeleteOption.DEFAULT))
                .commit(), "leader key release").isSucceeded();
    }
}
