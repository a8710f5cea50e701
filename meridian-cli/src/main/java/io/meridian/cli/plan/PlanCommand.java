package io.meridian.cli.plan;

import io.meridian.core.console.CliException;
import io.meridian.cli.ops.ClusterOptions;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.console.JsonOutput;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.config.NodeConfigLoader;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.plan.Bandwidth;
import io.meridian.core.plan.CommitCeiling;
import io.meridian.core.plan.PlanInputs;
import io.meridian.core.plan.PriceTable;
import io.meridian.core.plan.Standby;
import io.meridian.core.plan.SyncMode;
import io.meridian.core.plan.TopologyPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meridian plan}: measures a running cluster (WAL rate, round trips, database size) and turns
 * it into what its links, commits and bill will be; {@code --compare} sets topologies side by side.
 */
@Command(name = "plan", description = "Measure the cluster's WAL rate and round trips, then size its links, commit "
        + "ceilings and monthly cost; --compare sets topologies side by side.")
public final class PlanCommand implements Callable<Integer> {

    @Mixin
    ClusterOptions clusterOptions;

    @Spec
    CommandSpec spec;

    @Option(names = "--window", defaultValue = "10m", description = "How long to measure (default: ${DEFAULT-VALUE}).")
    String window;

    @Option(names = "--interval", defaultValue = "1s", description = "Time between samples (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--margin", defaultValue = "3", description = "Recommended bandwidth = minimum × margin (default: ${DEFAULT-VALUE}).")
    double margin;

    @Option(names = "--prices", paramLabel = "FILE", description = "A YAML price table (default: the seed's AWS figures; see docs/planning.md).")
    Path prices;

    @Option(names = "--compare", description = "Compare topologies: single region, 3-region async and region_quorum, "
            + "regional clusters with logical replication, a standby cluster.")
    boolean compare;

    @Option(names = {"-f", "--format"}, defaultValue = "table", description = "table, json or markdown.")
    PlanFormat format;

    @Option(names = "--chart", paramLabel = "FILE.svg", description = "Write an SVG of the WAL rate with the bandwidth lines.")
    Path chart;

    @Option(names = "--sessions", defaultValue = "10", description = "Concurrent sessions for the group-commit ceiling (default: ${DEFAULT-VALUE}).")
    int sessions;

    @Option(names = "--commit-probe", defaultValue = "5s", description = "After the window, time single-session commits "
            + "on the leader this long, to check the ceiling (0 to skip; default: ${DEFAULT-VALUE}).")
    String commitProbe;

    @Option(names = "--jdbc-url", description = "The leader's PostgreSQL for the database size and the commit probe "
            + "(default: the leader's address, the node file's superuser with -c, else user postgres and ~/.pgpass or $PGPASSFILE).")
    String jdbcUrl;

    @Option(names = "--local-commit-ms", defaultValue = "0", description = "A commit's cost on the primary alone, added to every floor (default: ${DEFAULT-VALUE}, as the seed).")
    double localCommitMillis;

    @Option(names = "--logical-share", defaultValue = "NaN", description = "Share of the WAL the shared tables account for, for regional clusters with logical replication (default: unknown).")
    double logicalShare;

    @Option(names = "--results", defaultValue = "bench/results", description = "Where the drills' results are, for the RTO (default: ${DEFAULT-VALUE}).")
    Path results;

    @Override
    public Integer call() throws Exception {
        Duration windowLength = Durations.parse("--window", window);
        Duration step = Durations.parse("--interval", interval);
        Duration probeLength = Durations.parse("--commit-probe", commitProbe);
        if (windowLength.compareTo(step) < 0 || step.isZero()) {
            throw new CliException("--window " + window + " must be at least one --interval " + interval + " (above 0)");
        }
        if (!(margin >= 1)) {
            throw new CliException("--margin: expected a factor of at least 1, got " + margin);
        }
        if (jdbcUrl != null && jdbcUrl.toLowerCase(java.util.Locale.ROOT).matches(".*[?&]password=.*")) {
            throw new CliException("--jdbc-url: put the password in ~/.pgpass or $PGPASSFILE, not on the command line");
        }
        if (!Double.isNaN(logicalShare) && !(logicalShare >= 0 && logicalShare <= 1)) {
            throw new CliException("--logical-share: expected a fraction of the WAL between 0 and 1, got " + logicalShare);
        }
        if (sessions < 1) {
            throw new CliException("--sessions: expected at least 1, got " + sessions);
        }
        PriceTable priceTable;
        try {
            priceTable = prices == null ? PriceTable.defaults() : PriceTable.load(prices);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
        long started = System.nanoTime();
        ClusterTarget target = clusterOptions.resolve();
        Cluster c;
        try (Dcs dcs = target.openDcs()) {
            c = dcs.load();
        } catch (DcsException e) {
            throw new CliException("cannot read cluster '" + target.cluster() + "' from etcd: " + e.getMessage(), e);
        }
        Member leader = c.leaderMember().orElseThrow(() -> new CliException("cluster '" + target.cluster()
                + "' has no leader to measure; see 'meridian list'"));

        LeaderAccess access = leaderAccess(leader);
        Long sizeBefore = access.size();
        List<MetricsScrape> scrapes = new MetricsSampler(leader.apiUrl(), target.restTls()).sample(windowLength, step);
        Long sizeAfter = access.size();
        WalWindow wal = WalWindow.of(scrapes);
        if (wal.samples().size() < 2) {
            throw new CliException("the leader's agent " + leader.apiUrl() + " exported no meridian_wal_bytes_total: is "
                    + leader.name() + " still the primary?");
        }
        PlanReport.Probe probe;
        try (access) {
            probe = probeLength.isZero() ? null : access.probe(probeLength, c.config().synchronousMode());
        }

        DynamicConfig cfg = c.config();
        List<PlanReport.RoundTrip> trips = new ArrayList<>();
        List<Standby> standbys = new ArrayList<>();
        for (Member m : c.members()) {
            if (m.name().equals(leader.name())) {
                continue;
            }
            double[] lags = scrapes.stream().map(s -> s.flushLagSeconds().get(m.name())).filter(v -> v != null)
                    .mapToDouble(v -> v * 1000).sorted().toArray();
            double rtt = lags.length == 0 ? Double.NaN : lags[lags.length / 2];
            trips.add(new PlanReport.RoundTrip(m.name(), m.region(), rtt, lags.length,
                    "pg_stat_replication.flush_lag on the leader (median of its agent's scrapes)"));
            standbys.add(new Standby(m.name(), m.region(), rtt, m.tags().promotable()));
        }
        double rate = wal.averageBytesPerSecond();
        Bandwidth bw = new Bandwidth(rate, margin);
        List<PlanReport.Link> links = new ArrayList<>();
        for (PlanReport.RoundTrip t : trips) {
            if (!t.region().equals(leader.region())) {
                links.add(new PlanReport.Link(leader.region(), t.region() + " (" + t.member() + ")", t.rttMillis(),
                        bw.minimumMbps(), bw.recommendedMbps(), Bandwidth.mbps(wal.peakBytesPerSecond()), Bandwidth.gbPerMonth(rate)));
            }
        }
        List<PlanReport.Commit> commits = new ArrayList<>();
        for (SyncMode mode : SyncMode.values()) {
            CommitCeiling cc = CommitCeiling.of(mode, cfg.synchronousNodeCount(), cfg.synchronousStrict(), leader.region(),
                    standbys, localCommitMillis);
            commits.add(new PlanReport.Commit(mode.configValue(), mode.configValue().equals(cfg.synchronousMode()),
                    cc.quorum(), cc.waitsFor(), cc.floorMillis(), cc.perSessionPerSecond(), sessions,
                    cc.withSessionsPerSecond(sessions)));
        }
        PlanInputs inputs = new PlanInputs(rate, margin, leader.region(), standbys, cfg.synchronousNodeCount(),
                cfg.synchronousStrict(), localCommitMillis, sessions, DrillRto.latest(results), logicalShare, Double.NaN);
        double days = wal.seconds() / 86_400;
        PlanReport.Measured measured = new PlanReport.Measured(wal.seconds(), wal.samples().size(), wal.bytes(), rate,
                wal.peakBytesPerSecond(), wal.p95BytesPerSecond(),
                "meridian_wal_bytes_total from " + leader.name() + "'s agent /metrics",
                "the window only: agents keep no WAL rate history, so peak and p95 are over " + interval + " steps",
                sizeAfter, sizeBefore == null || sizeAfter == null || days <= 0 ? null : (sizeAfter - sizeBefore) / days,
                access.why());
        PlanReport report = new PlanReport(c.name(), leader.name(), leader.region(), cfg.synchronousMode(),
                cfg.synchronousNodeCount(), measured, trips, links, commits, probe,
                compare ? TopologyPlan.compare(inputs, priceTable) : null,
                priceTable.provider() + " prices in " + priceTable.currency() + (prices == null ? ", the default table" : ", " + prices),
                (System.nanoTime() - started) / 1e9);
        if (chart != null) {
            try {
                Files.writeString(chart, WalChart.svg(wal, bw.minimumMbps(), bw.recommendedMbps(),
                        "WAL rate of " + c.name() + " on " + leader.name() + " over " + window));
            } catch (IOException e) {
                throw new CliException("--chart " + chart + ": " + e.getMessage(), e);
            }
        }
        var out = spec.commandLine().getOut();
        out.print(format == PlanFormat.json ? JsonOutput.write(report) + "\n" : PlanText.render(report, format == PlanFormat.markdown));
        out.flush();
        return 0;
    }

    /** How the leader's PostgreSQL is reached for what the agents do not publish, or why it is not. */
    private LeaderAccess leaderAccess(Member leader) {
        String user = "postgres";
        String password = null;
        String url = jdbcUrl;
        // The node file in effect (-c before or after the verb, $MERIDIAN_CONFIG, /etc, or the lab's first node's).
        Path nodeFile = clusterOptions.nodeFile();
        if (url == null) {
            if (nodeFile != null) {
                NodeConfig n = NodeConfigLoader.load(nodeFile);
                user = n.postgresql().superuser().username();
                password = n.postgresql().superuser().password();
            }
            url = "jdbc:postgresql://" + leader.host() + ":" + leader.port() + "/postgres";
        } else {
            user = null;
        }
        try {
            return new LeaderAccess(LeaderSql.open(url, user, password), "pg_database_size on " + leader.name());
        } catch (SQLException e) {
            return new LeaderAccess(null, "unknown: cannot connect to " + leader.name() + " (" + e.getMessage()
                    + "); give -c node.yml or --jdbc-url with a ~/.pgpass entry");
        }
    }

    private record LeaderAccess(LeaderSql sql, String why) implements AutoCloseable {

        @Override
        public void close() {
            try {
                if (sql != null) {
                    sql.close();
                }
            } catch (SQLException e) {
                // Closing a read-only session that failed changes nothing on the server.
            }
        }

        Long size() {
            try {
                return sql == null ? null : sql.databaseBytes();
            } catch (SQLException e) {
                return null;
            }
        }

        PlanReport.Probe probe(Duration length, String mode) {
            if (sql == null) {
                return null;
            }
            try {
                LeaderSql.CommitProbe p = sql.probeCommits(length);
                return new PlanReport.Probe(mode, p.commits(), p.seconds(), p.medianMillis(), p.p95Millis(), p.perSecond());
            } catch (SQLException e) {
                throw new CliException("commit probe on the leader: " + e.getMessage(), e);
            }
        }
    }
}
