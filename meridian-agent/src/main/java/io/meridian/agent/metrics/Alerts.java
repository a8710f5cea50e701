package io.meridian.agent.metrics;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.postgres.PgState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The alert rules of {@code deploy/prometheus/meridian-rules.yml}, evaluated in the agent on one
 * cluster record, for the dashboard and {@code meridian status}: no Prometheus needed to see them.
 * Without Prometheus' {@code for:} durations these fire on the first cycle over a threshold.
 *
 * <p>Pure apart from the injected clock (used for the flapping window).
 */
public final class Alerts {

    private final Clock clock;
    private final AlertThresholds limits;

    public Alerts() {
        this(Clock.systemUTC(), AlertThresholds.DEFAULTS);
    }

    public Alerts(Clock clock) {
        this(clock, AlertThresholds.DEFAULTS);
    }

    public Alerts(Clock clock, AlertThresholds limits) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Alerts for {@code cluster} as seen by an agent whose PostgreSQL is in {@code local} ({@link PgState#STOPPED} if none). */
    public List<Alert> evaluate(Cluster cluster, PgState local) {
        return evaluate(cluster, local, List.of());
    }

    /**
     * As {@link #evaluate(Cluster, PgState)}, plus one {@code MeridianSlotInactive} per {@link SlotGuard}
     * warning. Critical alerts first, then by name and member.
     */
    public List<Alert> evaluate(Cluster cluster, PgState local, List<SlotGuard.Warning> inactiveSlots) {
        PgState state = local == null ? PgState.STOPPED : local;
        boolean localPrimary = state.running() && !state.inRecovery();
        List<Alert> out = new ArrayList<>();
        leadership(cluster, out);
        ReplicaLag lag = new ReplicaLag(cluster, localPrimary ? state : null);
        for (Member m : cluster.members()) {
            if (cluster.isLeader(m.name()) || m.role() == Role.PRIMARY) {
                continue;
            }
            if (!m.isStreaming() && !lag.streamingOnPrimary(m.name())) {
                out.add(new Alert("MeridianMemberNotStreaming", Alert.WARNING, m.name(), m.name() + " (" + m.region()
                        + ") is not streaming WAL from the primary (state " + m.state() + ")"));
            }
            lagAlerts(m, lag, out);
        }
        slots(cluster, localPrimary ? state : null, inactiveSlots, out);
        sync(cluster, lag, out);
        out.sort(Comparator.comparing((Alert a) -> !a.isCritical()).thenComparing(Alert::name)
                .thenComparing(a -> a.member() == null ? "" : a.member()));
        return List.copyOf(out);
    }

    private void leadership(Cluster cluster, List<Alert> out) {
        if (!cluster.hasLeader()) {
            out.add(new Alert("MeridianNoLeader", Alert.CRITICAL, null,
                    "cluster " + cluster.name() + " has no leader: writes are refused until one is elected"));
        }
        long since = clock.millis() - limits.flappingWindow().toMillis();
        long promotions = cluster.history().stream()
                .filter(e -> e.atMillis() >= since && !"bootstrap".equals(e.reason())).count();
        if (promotions >= limits.flappingPromotions()) {
            TimelineEvent last = cluster.history().get(cluster.history().size() - 1);
            out.add(new Alert("MeridianLeaderFlapping", Alert.WARNING, null, "leadership changed " + promotions
                    + " times in the last " + limits.flappingWindow().toMinutes() + " min (last: " + last.reason()
                    + " to " + last.newLeader() + ")"));
        }
    }

    private void lagAlerts(Member m, ReplicaLag lag, List<Alert> out) {
        String who = m.name() + " (" + m.region() + ")";
        lag.bytes(m).ifPresent(bytes -> {
            String severity = bytes > limits.lagCriticalBytes() ? Alert.CRITICAL
                    : bytes > limits.lagWarningBytes() ? Alert.WARNING : null;
            if (severity != null) {
                long limit = severity.equals(Alert.CRITICAL) ? limits.lagCriticalBytes() : limits.lagWarningBytes();
                out.add(new Alert("MeridianReplicationLagBytes", severity, m.name(), who + " is "
                        + ByteSize.format(bytes) + " behind the primary (" + severity + " above " + ByteSize.format(limit) + ")"));
            }
        });
        lag.seconds(m).ifPresent(seconds -> {
            String severity = seconds > limits.lagCriticalSeconds() ? Alert.CRITICAL
                    : seconds > limits.lagWarningSeconds() ? Alert.WARNING : null;
            if (severity != null) {
                double limit = severity.equals(Alert.CRITICAL) ? limits.lagCriticalSeconds() : limits.lagWarningSeconds();
                out.add(new Alert("MeridianReplicationLagSeconds", severity, m.name(), String.format(Locale.ROOT,
                        "%s replays %.1f s behind the primary (%s above %.0f s)", who, seconds, severity, limit)));
            }
        });
    }

    private void slots(Cluster cluster, PgState primary, List<SlotGuard.Warning> inactive, List<Alert> out) {
        for (SlotGuard.Warning w : inactive) {
            out.add(new Alert("MeridianSlotInactive", Alert.WARNING, null, w.message()));
        }
        if (primary != null) {
            for (PgState.SlotInfo s : primary.slots()) {
                retained(s.name(), s.retainedBytes(), out);
            }
        } else {
            // Without the primary's own view, use what the leader published: its LSN minus each restart LSN.
            Lsn head = cluster.leaderMember().map(Member::writeLsn).filter(l -> l.value() != 0)
                    .orElse(cluster.status().leaderLsn());
            for (Map.Entry<String, Lsn> s : cluster.status().slots().entrySet()) {
                if (head.value() != 0 && s.getValue().value() != 0) {
                    retained(s.getKey(), head.bytesAfter(s.getValue()), out);
                }
            }
        }
    }

    private void retained(String slot, long bytes, List<Alert> out) {
        if (bytes > limits.slotRetainedBytes()) {
            out.add(new Alert("MeridianSlotRetainedWal", Alert.WARNING, null, "replication slot " + slot + " retains "
                    + ByteSize.format(bytes) + " of WAL (above " + ByteSize.format(limits.slotRetainedBytes())
                    + "): the primary's disk fills until it is consumed or dropped"));
        }
    }

    private void sync(Cluster cluster, ReplicaLag lag, List<Alert> out) {
        int quorum = cluster.sync().quorum();
        if (quorum <= 0 || cluster.sync().members().isEmpty()) {
            return;
        }
        List<String> missing = cluster.sync().members().stream()
                .filter(n -> !cluster.member(n).map(Member::isStreaming).orElse(false) && !lag.streamingOnPrimary(n))
                .toList();
        int streaming = cluster.sync().members().size() - missing.size();
        if (streaming < quorum) {
            out.add(new Alert("MeridianSyncQuorumLost", Alert.CRITICAL, null, "only " + streaming + " of the "
                    + quorum + " synchronous standbys needed are streaming: commits wait (missing " + missing + ")"));
        } else {
            for (String name : missing) {
                Optional<Member> m = cluster.member(name);
                out.add(new Alert("MeridianSyncStandbyMissing", Alert.WARNING, name, "synchronous standby " + name
                        + m.map(x -> " (" + x.region() + ")").orElse("") + " is not streaming; quorum " + quorum
                        + " of " + cluster.sync().members().size() + " still holds with " + streaming));
            }
        }
    }
}
