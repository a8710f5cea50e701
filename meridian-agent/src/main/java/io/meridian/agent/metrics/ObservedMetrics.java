package io.meridian.agent.metrics;

import io.meridian.core.cluster.Role;
import io.meridian.core.postgres.PgState;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The metrics read from the last {@link CycleObservation} at scrape time. Callbacks, not stored
 * values: a standby or slot that disappears simply stops being exported, with no stale series left.
 */
final class ObservedMetrics {

    static final String[] BASE_LABELS = {"cluster", "member", "region"};
    private static final String[] LINK_LABELS = {"cluster", "member", "region", "upstream", "upstream_region"};

    private final PrometheusRegistry registry;
    private final String[] self;
    private final Supplier<CycleObservation> seen;

    private ObservedMetrics(PrometheusRegistry registry, String[] self, Supplier<CycleObservation> seen) {
        this.registry = registry;
        this.self = self;
        this.seen = seen;
    }

    static void register(PrometheusRegistry registry, String[] self, Supplier<CycleObservation> seen) {
        ObservedMetrics m = new ObservedMetrics(registry, self, seen);
        m.local();
        m.cluster();
        m.standbys();
        m.slots();
    }

    private void local() {
        gauge("meridian_role", "1 for the role this member's PostgreSQL has now (primary, replica, unknown), else 0.",
                with(BASE_LABELS, "role"), (o, cb) -> {
                    for (Role r : Role.values()) {
                        cb.call(o.role() == r ? 1 : 0, with(self, r.name().toLowerCase(Locale.ROOT)));
                    }
                });
        own("meridian_postgres_up", "1 when the local PostgreSQL accepts connections.", o -> o.postgresUp() ? 1 : 0);
        own("meridian_timeline", "PostgreSQL timeline of this member.", o -> o.postgresUp() ? o.timeline() : Double.NaN);
        own("meridian_write_lsn_bytes", "Primary: pg_current_wal_lsn() as a byte offset.",
                o -> o.role() == Role.PRIMARY ? o.local().writeLsn().value() : Double.NaN);
        own("meridian_received_lsn_bytes", "Standby: last WAL position received and flushed, as a byte offset.",
                o -> o.role() == Role.REPLICA ? o.local().receiveLsn().value() : Double.NaN);
        own("meridian_replayed_lsn_bytes", "Standby: last WAL position replayed, as a byte offset.",
                o -> o.role() == Role.REPLICA ? o.local().replayLsn().value() : Double.NaN);
        own("meridian_wal_receiver_streaming", "Standby: 1 when the WAL receiver is streaming from upstream.",
                o -> o.role() == Role.REPLICA ? (o.local().streaming() ? 1 : 0) : Double.NaN);
        own("meridian_replay_paused", "Standby: 1 when WAL replay is paused.",
                o -> o.role() == Role.REPLICA ? (o.local().replayPaused() ? 1 : 0) : Double.NaN);
        own("meridian_replica_replay_lag_seconds",
                "Standby's own view: seconds since the last replayed transaction committed while WAL is pending.",
                o -> o.role() == Role.REPLICA && o.local().replayLagSeconds() >= 0
                        ? o.local().replayLagSeconds() : Double.NaN);
        own("meridian_replica_lag_bytes",
                "Standby's own view: leader's last published WAL position minus this member's replay position.",
                CycleObservation::replicaLagBytes);
        counter("meridian_wal_bytes_total", "Primary: WAL bytes written since the cluster was created.",
                BASE_LABELS, (o, cb) -> {
                    if (o.role() == Role.PRIMARY) {
                        cb.call(o.local().walBytesTotal(), self);
                    }
                });
        own("meridian_wal_rate_bytes_per_second", "Primary: WAL generated per second between the last two cycles.",
                CycleObservation::walRateBytesPerSecond);
        own("meridian_leader_lease_remaining_seconds", "Seconds before the leader key's lease expires.",
                CycleObservation::leaseRemainingSeconds);
    }

    private void cluster() {
        own("meridian_leader_present", "1 when the cluster has a leader key.", o -> o.leaderPresent() ? 1 : 0);
        own("meridian_members_up", "Members whose agent is alive (registered in etcd).", CycleObservation::membersUp);
        own("meridian_members_streaming", "Members whose WAL receiver is streaming.", CycleObservation::membersStreaming);
        own("meridian_sync_quorum", "Synchronous standbys that must confirm a commit (0: asynchronous).",
                CycleObservation::syncQuorum);
        own("meridian_sync_standbys", "Members in the synchronous standby set.", CycleObservation::syncStandbys);
        own("meridian_sync_standbys_streaming", "Members of the synchronous set that are streaming.",
                CycleObservation::syncStandbysStreaming);
    }

    private void standbys() {
        String[] staged = with(LINK_LABELS, "stage");
        gauge("meridian_replication_lag_bytes", "Primary's view: WAL bytes the standby has not yet written, flushed, replayed.",
                staged, (o, cb) -> o.standbys().forEach(s -> {
                    for (int i = 0; i < 3; i++) {
                        cb.call(s.lagBytes()[i], with(link(s), CycleObservation.STAGES[i]));
                    }
                }));
        gauge("meridian_replication_lag_seconds", "Primary's view: pg_stat_replication write, flush, replay lag.",
                staged, (o, cb) -> o.standbys().forEach(s -> {
                    for (int i = 0; i < 3; i++) {
                        if (!Double.isNaN(s.lagSeconds()[i])) {
                            cb.call(s.lagSeconds()[i], with(link(s), CycleObservation.STAGES[i]));
                        }
                    }
                }));
        counter("meridian_replicated_wal_bytes_total", "Primary's view: the standby's flush position as WAL bytes.",
                LINK_LABELS, (o, cb) -> o.standbys().forEach(s -> cb.call(s.flushedBytes(), link(s))));
        gauge("meridian_replication_rate_bytes_per_second", "Primary's view: WAL bytes flushed by the standby per second.",
                LINK_LABELS, (o, cb) -> o.standbys().forEach(s -> {
                    if (!Double.isNaN(s.rateBytesPerSecond())) {
                        cb.call(s.rateBytesPerSecond(), link(s));
                    }
                }));
    }

    private void slots() {
        String[] labels = with(with(BASE_LABELS, "slot"), "slot_type");
        gauge("meridian_slot_retained_wal_bytes", "Primary: WAL bytes the slot keeps from being recycled.", labels,
                (o, cb) -> slotsOf(o, (s, l) -> cb.call(s.retainedBytes(), l)));
        gauge("meridian_slot_active", "Primary: 1 when a WAL sender uses the slot now.", labels,
                (o, cb) -> slotsOf(o, (s, l) -> cb.call(s.active() ? 1 : 0, l)));
    }

    private void slotsOf(CycleObservation o, BiConsumer<PgState.SlotInfo, String[]> each) {
        if (o.role() == Role.PRIMARY) {
            for (PgState.SlotInfo s : o.local().slots()) {
                each.accept(s, with(with(self, s.name()), s.physical() ? "physical" : "logical"));
            }
        }
    }

    private String[] link(CycleObservation.StandbyLink s) {
        return new String[] {self[0], s.name(), s.region(), self[1], self[2]};
    }

    private void own(String name, String help, ToDoubleFunction<CycleObservation> value) {
        gauge(name, help, BASE_LABELS, (o, cb) -> {
            double v = value.applyAsDouble(o);
            if (!Double.isNaN(v)) {
                cb.call(v, self);
            }
        });
    }

    private void gauge(String name, String help, String[] labels, BiConsumer<CycleObservation, GaugeWithCallback.Callback> body) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(labels)
                .callback(cb -> body.accept(seen.get(), cb)).register(registry);
    }

    private void counter(String name, String help, String[] labels,
                         BiConsumer<CycleObservation, CounterWithCallback.Callback> body) {
        CounterWithCallback.builder().name(name).help(help).labelNames(labels)
                .callback(cb -> body.accept(seen.get(), cb)).register(registry);
    }

    static String[] with(String[] labels, String extra) {
        String[] out = java.util.Arrays.copyOf(labels, labels.length + 1);
        out[labels.length] = extra;
        return out;
    }
}
