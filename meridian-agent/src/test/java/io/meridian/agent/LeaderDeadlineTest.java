package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.dcs.EtcdDcs;
import io.meridian.core.dcs.LeaseRenewal;
import io.meridian.testkit.EtcdExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fence deadline against a real etcd: it is the send time of the renewal etcd answered plus
 * the TTL etcd reported, whatever TTL the agent asked for, and only a renewal of the lease that
 * holds the leader key moves it.
 */
class LeaderDeadlineTest {

    @RegisterExtension
    static EtcdExtension etcd = new EtcdExtension();

    private static final long MARGIN_MILLIS = 500;

    /** What the fence keeper process would have been told, in order. */
    private static final class RecordingKeeper implements LeaderDeadline.Keeper {
        final List<Long> armed = new ArrayList<>();
        int disarmed;

        @Override
        public void arm(long deadlineNanos) {
            armed.add(deadlineNanos);
        }

        @Override
        public void disarm() {
            disarmed++;
        }

        long last() {
            return armed.get(armed.size() - 1);
        }
    }

    @Test
    void theDeadlineIsSendTimePlusTheTtlEtcdGrantedNotTheOneAskedFor() throws Exception {
        RecordingKeeper keeper = new RecordingKeeper();
        // The agent asks for 1 s; etcd's minimum lease TTL (1.5 × its 1 s election timeout) makes it 2 s.
        try (EtcdDcs dcs = EtcdDcs.connect(etcd.endpoints(), "/meridian", "deadline", "n1", 1, 5);
             LeaderDeadline deadline = new LeaderDeadline(why -> { }, keeper)) {
            assertThat(dcs.acquireLeader("n1")).isTrue();
            LeaseRenewal granted = dcs.leaseRenewal().orElseThrow();
            assertThat(granted.grantedTtlMillis()).isEqualTo(2000);
            deadline.renewed(dcs.leaseRenewal(), MARGIN_MILLIS);
            assertThat(keeper.last()).isEqualTo(granted.sentNanos() + TimeUnit.MILLISECONDS.toNanos(2000 - MARGIN_MILLIS));
            assertThat(deadline.remainingMillis()).isGreaterThan(1000 - MARGIN_MILLIS); // what the asked-for 1 s would give at best

            // A keepalive reports the TTL again: the deadline follows the later send time.
            assertThat(dcs.renewLeader("n1")).isTrue();
            LeaseRenewal renewed = dcs.leaseRenewal().orElseThrow();
            assertThat(renewed.leaseId()).isEqualTo(granted.leaseId());
            assertThat(renewed.sentNanos()).isGreaterThan(granted.sentNanos());
            assertThat(renewed.grantedTtlMillis()).isEqualTo(2000);
            deadline.renewed(dcs.leaseRenewal(), MARGIN_MILLIS);
            assertThat(keeper.last()).isEqualTo(renewed.earliestExpiryNanos() - TimeUnit.MILLISECONDS.toNanos(MARGIN_MILLIS));
            dcs.deleteCluster();
        }
    }

    @Test
    void aFreshLeaseAfterTheOldOneWasLostDoesNotMoveTheDeadline() throws Exception {
        RecordingKeeper keeper = new RecordingKeeper();
        try (EtcdDcs dcs = EtcdDcs.connect(etcd.endpoints(), "/meridian", "fresh", "n1", 6, 5);
             LeaderDeadline deadline = new LeaderDeadline(why -> { }, keeper)) {
            assertThat(dcs.acquireLeader("n1")).isTrue();
            deadline.renewed(dcs.leaseRenewal(), MARGIN_MILLIS);
            long armed = keeper.last();
            dcs.revokeLease(); // the leader key goes with it, as when etcd expires the lease

            // The member record is written on a new lease: it holds no leader key, so the fence keeps its time.
            dcs.touchMember(new io.meridian.core.cluster.Member("n1", "paris", io.meridian.core.cluster.Role.PRIMARY,
                    "running", 1, null, null, null, null, 0, "127.0.0.1", 5432, null, null, 0));
            assertThat(dcs.leaseRenewal().orElseThrow().leaseId()).isNotEqualTo(0);
            deadline.leaseRenewed(dcs.leaseRenewal(), MARGIN_MILLIS);
            assertThat(keeper.last()).isEqualTo(armed);
            assertThat(keeper.armed).hasSize(1);
            assertThat(dcs.renewLeader("n1")).isFalse();

            deadline.disarm();
            deadline.disarm();
            assertThat(keeper.disarmed).as("the keeper hears each change once").isEqualTo(1);
            dcs.deleteCluster();
        }
    }

    @Test
    void failsafeModeExtendsFromNowWithoutEtcdAndAnEmptyRenewalFailsClosed() {
        RecordingKeeper keeper = new RecordingKeeper();
        try (LeaderDeadline deadline = new LeaderDeadline(why -> { }, keeper)) {
            long before = System.nanoTime();
            deadline.failsafe(6000, MARGIN_MILLIS);
            assertThat(keeper.last()).isBetween(before + TimeUnit.MILLISECONDS.toNanos(5500), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5500));
            deadline.renewed(java.util.Optional.empty(), MARGIN_MILLIS);
            assertThat(keeper.last()).isLessThanOrEqualTo(System.nanoTime());
        }
    }
}
