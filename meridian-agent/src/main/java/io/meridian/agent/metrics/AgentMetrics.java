package io.meridian.agent.metrics;

import io.meridian.core.BuildInfo;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Role;
import io.meridian.core.postgres.PgState;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The agent's Prometheus metrics, served on {@code /metrics}. Every sample carries {@code cluster},
 * {@code member} and {@code region}; {@code member}/{@code region} name the member the value is
 * about, so per-standby samples exported by the primary carry the standby's name and region and the
 * primary's in {@code upstream}/{@code upstream_region}. The full list is {@code deploy/metrics.txt}.
 *
 * <p>Thread-safety: {@link #update} and the {@code record*} methods come from the HA loop,
 * {@link #scrape} from HTTP threads; both hold one lock so a scrape never mixes two cycles.
 */
public final class AgentMetrics {

    /** Content type of {@link #scrape()}: the Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final String[] self;
    private final Clock clock;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);
    private final ByteRates rates = new ByteRates();
    private final Histogram cycleDuration;
    private final Counter cycles;
    private final Gauge lastSuccess;
    private final Counter failovers;
    private final Counter switchovers;
    private final Counter leaderChanges;
    private final Gauge configValid;
    private final Gauge receiverFailing;
    private final Counter lostTransactions;
    /** Losses already counted (by folder), and since when: a loss saved before this process started was counted by the one before. */
    private final java.util.Set<String> countedLosses = new java.util.HashSet<>();
    private final long startedMillis;
    private CycleObservation seen = CycleObservation.NONE;
    private boolean updated;
    private String lastLeader;
    private Cluster lastCluster;
    private double lastLease = Double.NaN;
    private long observedAtMillis;

    public AgentMetrics(String cluster, String member, String region) {
        this(cluster, member, region, Clock.systemUTC());
    }

    public AgentMetrics(String cluster, String member, String region, Clock clock) {
        this.self = new String[] {Objects.requireNonNull(cluster, "cluster"), Objects.requireNonNull(member, "member"),
                region == null ? "" : region};
        this.clock = Objects.requireNonNull(clock, "clock");
        String[] base = ObservedMetrics.BASE_LABELS;
        cycleDuration = Histogram.builder().name("meridian_ha_cycle_duration_seconds")
                .help("Time one HA loop cycle took.").labelNames(base).classicOnly().register(registry);
        cycles = Counter.builder().name("meridian_ha_cycles_total").help("HA loop cycles run, by result.")
                .labelNames(ObservedMetrics.with(base, "result")).register(registry);
        lastSuccess = Gauge.builder().name("meridian_ha_last_success_timestamp_seconds")
                .help("Unix time of the last HA cycle that completed without error.").labelNames(base)
                .register(registry);
        failovers = Counter.builder().name("meridian_failovers_total")
                .help("Failovers this agent carried out (it was promoted after losing the leader).")
                .labelNames(base).register(registry);
        switchovers = Counter.builder().name("meridian_switchovers_total")
                .help("Planned switchovers this agent took part in.").labelNames(base).register(registry);
        lostTransactions = Counter.builder().name("meridian_lost_transactions_total")
                .help("Transactions this node committed past a failover's fork and lost when pg_rewind brought it back"
                        + " (saved in its lost-transactions folder; see meridian history).")
                .labelNames(base).register(registry);
        leaderChanges = Counter.builder().name("meridian_leader_changes_total")
                .help("Changes of the leader key this agent observed, including to and from no leader.")
                .labelNames(base).register(registry);
        configValid = Gauge.builder().name("meridian_config_valid")
                .help("1 when /config decoded at the last cycle; 0 when it did not and the agent keeps the last valid "
                        + "configuration (or, having none, takes no automatic action).")
                .labelNames(base).register(registry);
        receiverFailing = Gauge.builder().name("meridian_wal_receiver_failing_seconds")
                .help("Standby: how long its WAL receiver has been logging errors without streaming (0 when it streams "
                        + "or just waits); the agent's HA line gives the error.")
                .labelNames(base).register(registry);
        // Zero counters from the start: rate() and increase() need a first sample to count from.
        failovers.labelValues(self).inc(0);
        switchovers.labelValues(self).inc(0);
        leaderChanges.labelValues(self).inc(0);
        lostTransactions.labelValues(self).inc(0);
        startedMillis = clock.millis();
        cycles.labelValues(ObservedMetrics.with(self, "ok")).inc(0);
        cycles.labelValues(ObservedMetrics.with(self, "error")).inc(0);
        ObservedMetrics.register(registry, self, () -> seen);
        registerBuildInfo(registry, base, self);
    }

    /**
     * {@code meridian_build_info{..., version, commit} 1}: which build this agent runs, so a dashboard
     * can tell a half-finished rolling upgrade from a finished one.
     */
    private static void registerBuildInfo(PrometheusRegistry registry, String[] base, String[] self) {
        BuildInfo build = BuildInfo.current();
        String[] labels = ObservedMetrics.with(ObservedMetrics.with(base, "version"), "commit");
        String[] values = ObservedMetrics.with(ObservedMetrics.with(self, build.version()), build.commit());
        Info.builder().name("meridian_build_info").help("The Meridian version and git commit this agent runs (always 1).")
                .labelNames(labels).register(registry).addLabelValues(values);
    }

    /** Called once per HA cycle with what the cycle read; {@code leaseRemainingSeconds} NaN or negative when unknown. */
    public synchronized void update(Cluster cluster, PgState local, double leaseRemainingSeconds) {
        Objects.requireNonNull(cluster, "cluster");
        PgState state = local == null ? PgState.STOPPED : local;
        String leader = cluster.hasLeader() ? cluster.leader().name() : null;
        if (updated && !Objects.equals(leader, lastLeader)) {
            leaderChanges.labelValues(self).inc();
        }
        lastLeader = leader;
        configValid.labelValues(self).set(cluster.configValid() ? 1 : 0);
        updated = true;
        countLosses(cluster);
        lastCluster = cluster;
        lastLease = leaseRemainingSeconds >= 0 ? leaseRemainingSeconds : Double.NaN;
        observedAtMillis = clock.millis();
        seen = CycleObservation.of(cluster, state, lastLease, rates, observedAtMillis);
        receiverFailing(state);
    }

    /** Set on a running standby only, so the series is absent where the question does not arise. */
    private void receiverFailing(PgState state) {
        if (state.running() && state.inRecovery()) {
            PgState.WalReceiverError e = state.walReceiverError();
            receiverFailing.labelValues(self).set(state.streaming() || e == null ? 0 : e.seconds());
        } else {
            receiverFailing.remove(self);
        }
    }

    /**
     * The cluster history is where a rejoin records what it lost: counting from it needs no hook
     * into the rejoin, and a record is counted once, by the node that lost the commits.
     */
    private void countLosses(Cluster cluster) {
        for (var event : cluster.history()) {
            for (var lost : event.lost()) {
                if (self[1].equals(lost.member()) && lost.atMillis() >= startedMillis
                        && countedLosses.add(String.valueOf(lost.folder()))) {
                    lostTransactions.labelValues(self).inc(lost.commits());
                }
            }
        }
    }

    /** One HA cycle finished after {@code seconds}; {@code ok} false when it ended in an error. */
    public synchronized void recordCycle(double seconds, boolean ok) {
        cycleDuration.labelValues(self).observe(seconds);
        cycles.labelValues(ObservedMetrics.with(self, ok ? "ok" : "error")).inc();
        if (ok) {
            lastSuccess.labelValues(self).set(clock.millis() / 1000.0);
        }
    }

    public synchronized void recordFailover() {
        failovers.labelValues(self).inc();
    }

    public synchronized void recordSwitchover() {
        switchovers.labelValues(self).inc();
    }

    /**
     * Like {@link #scrape()}, but first re-reads the local PostgreSQL through {@code observe} when the
     * last cycle's observation is older than {@code maxAgeMillis}. A cycle observes once per
     * loop_wait, and later than that on a loaded machine, so without this a lag could be reported up to
     * a loop (or more) late; the cluster read from etcd is kept from the cycle. {@code observe} runs
     * outside the lock, so a slow PostgreSQL does not hold up the HA loop's update.
     */
    public String scrape(Supplier<PgState> observe, long maxAgeMillis) {
        Cluster cluster;
        long at;
        synchronized (this) {
            cluster = lastCluster;
            at = observedAtMillis;
        }
        if (cluster != null && clock.millis() - at > maxAgeMillis) {
            PgState fresh = observe.get();
            synchronized (this) {
                // Only if no cycle came in meanwhile: a cycle's observation is at least as fresh.
                if (observedAtMillis == at && fresh != null) {
                    long now = clock.millis();
                    observedAtMillis = now;
                    lastLease = Double.isNaN(lastLease) ? Double.NaN : Math.max(0, lastLease - (now - at) / 1000.0);
                    seen = CycleObservation.of(cluster, fresh, lastLease, rates, now);
                    receiverFailing(fresh);
                }
            }
        }
        return scrape();
    }

    /** The current metrics in the Prometheus text format ({@link #CONTENT_TYPE}). */
    public synchronized String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException("writing metrics to memory failed", e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Role this agent's PostgreSQL had at the last update. */
    public synchronized Role role() {
        return seen.role();
    }
}
