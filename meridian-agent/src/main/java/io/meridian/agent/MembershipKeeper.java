package io.meridian.agent;

import io.meridian.core.cluster.Member;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.postgres.PostgresException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's lease and member record alive while the HA loop is busy with something longer
 * than a lease (initdb, pg_basebackup, pg_rewind): without it the lease would lapse and take the
 * initialize claim or the member record with it, and another node would bootstrap a second cluster.
 * Never used while leading: a leader's lease must only be renewed by the loop that can fence it.
 */
final class MembershipKeeper {

    private static final Logger LOG = LoggerFactory.getLogger(MembershipKeeper.class);

    interface Action<T> {
        T run() throws PostgresException, DcsException;
    }

    private MembershipKeeper() {
    }

    static <T> T during(Dcs dcs, Supplier<Member> record, long everyMillis, Action<T> action)
            throws PostgresException, DcsException {
        Thread keeper = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(everyMillis); // a heartbeat period, not a wait for a condition
                    dcs.touchMember(record.get());
                } catch (InterruptedException e) {
                    return;
                } catch (DcsException | RuntimeException e) {
                    LOG.warn("could not refresh membership during a long action: {}", e.getMessage());
                }
            }
        }, "membership-keeper");
        keeper.setDaemon(true);
        keeper.start();
        try {
            return action.run();
        } finally {
            keeper.interrupt();
            try {
                keeper.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
