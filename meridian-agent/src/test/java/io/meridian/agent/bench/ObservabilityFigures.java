package io.meridian.agent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.agent.HeadlessChromium;
import io.meridian.agent.metrics.ScrapeText;
import io.meridian.core.cluster.Lsn;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Figures for the observability closing note, against a running cluster (bench/observability/run.sh).
 *
 * <pre>
 *   latency   URL N [PAUSE_MS]                  GET URL N times, PAUSE_MS apart: p50, p99, max
 *   staleness REST_URL HOST:PORT PASSFILE SECS  how old what /metrics and /dashboard/data report is
 *   screenshot PAGE_URL PNG SECS                 the live dashboard in headless Chromium after SECS seconds
 * </pre>
 *
 * Staleness: a thread reads {@code pg_current_wal_lsn()} on the leader every few milliseconds. The LSN
 * only grows, so a reported LSN X stopped being the truth when the leader's LSN moved past X; the age
 * of a report is the time of the request minus that moment (0 if the LSN had not moved). All values of
 * one scrape come from one observation, so this is also the age of the lag it reports. The password
 * is read from a 0600 file, never taken from the command line.
 */
public final class ObservabilityFigures {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private ObservabilityFigures() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "latency" -> latency(args[1], Integer.parseInt(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 0);
            case "staleness" -> staleness(args[1], args[2], Path.of(args[3]), Integer.parseInt(args[4]));
            case "screenshot" -> screenshot(args[1], Path.of(args[2]), Integer.parseInt(args[3]));
            default -> {
                System.err.println("usage: latency URL N [PAUSE_MS] | staleness REST_URL HOST:PORT PASSFILE SECONDS"
                        + " | screenshot PAGE_URL PNG SECONDS");
                System.exit(2);
            }
        }
    }

    private static void screenshot(String page, Path png, int seconds) throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.open(page, 1400, 1000)) {
            Thread.sleep(seconds * 1000L); // the page records lag history while it is open: a recording window
            System.out.println("dashboard polls=" + browser.evaluate("document.body.dataset.polls")
                    + " leader=" + browser.evaluate("document.body.dataset.leader"));
            browser.screenshot(png);
        }
    }

    /**
     * A pause over 250 ms makes every request re-read PostgreSQL as a Prometheus scrape (every 5 s)
     * does; back to back, most requests are served from the last observation.
     */
    private static void latency(String url, int n, int pauseMillis) throws Exception {
        for (int i = 0; i < 20; i++) {
            get(url); // warm-up: the JIT and the connection, not measured
        }
        double[] ms = new double[n];
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            bytes = get(url).length();
            ms[i] = (System.nanoTime() - t0) / 1e6;
            Thread.sleep(pauseMillis); // spacing between requests, not a wait for a condition
        }
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "response_ms %s n=%d pause_ms=%d p50=%.2f p90=%.2f p99=%.2f max=%.2f body_bytes=%d%n",
                url, n, pauseMillis, pct(ms, 50), pct(ms, 90), pct(ms, 99), ms[n - 1], bytes);
    }

    private static void staleness(String rest, String hostPort, Path passfile, int seconds) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", Files.readString(passfile).trim());
        List<long[]> truth = new ArrayList<>(); // {nanoTime, leader lsn, worst standby replay lag in bytes}
        AtomicBoolean done = new AtomicBoolean();
        Thread sampler = new Thread(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + hostPort + "/postgres", p);
                 Statement s = c.createStatement()) {
                while (!done.get()) {
                    try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn() - '0/0', "
                            + "(SELECT coalesce(max(pg_current_wal_lsn() - replay_lsn), 0) FROM pg_stat_replication)")) {
                        rs.next();
                        long[] sample = {System.nanoTime(), rs.getLong(1), rs.getLong(2)};
                        synchronized (truth) {
                            truth.add(sample);
                        }
                    }
                }
            } catch (Exception e) {
                System.err.println("truth sampler stopped: " + e);
            }
        }, "truth");
        sampler.start();
        List<Double> metricsAge = new ArrayList<>();
        List<Double> dashboardAge = new ArrayList<>();
        List<Double> reportedLag = new ArrayList<>();
        List<Double> directLag = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        Thread.sleep(500); // a first stretch of truth to look reports up in; a fixed lead, not a wait for a condition
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            ScrapeText m = new ScrapeText(get(rest + "/metrics"));
            long at = (t0 + System.nanoTime()) / 2;
            m.value("meridian_write_lsn_bytes").ifPresent(x -> age(truth, (long) x, at, metricsAge));
            reportedLag.add(m.labelSets("meridian_replication_lag_bytes").isEmpty() ? 0.0 : worstReplayLag(m));
            directLag.add((double) latest(truth)[2]);
            t0 = System.nanoTime();
            JsonNode d = JSON.readTree(get(rest + "/dashboard/data"));
            long dat = (t0 + System.nanoTime()) / 2;
            age(truth, Lsn.parse(d.path("local").path("writeLsn").asText()).value(), dat, dashboardAge);
            Thread.sleep(97); // pacing between reads, so reports land at every phase of the 1 s loop
        }
        done.set(true);
        sampler.join();
        print("metrics_age_seconds", metricsAge);
        print("dashboard_data_age_seconds", dashboardAge);
        print("replay_lag_bytes_reported_by_metrics", reportedLag);
        print("replay_lag_bytes_direct_query", directLag);
        System.out.printf(Locale.ROOT, "truth_samples %d (every %.1f ms)%n", truth.size(),
                seconds * 1000.0 / Math.max(1, truth.size()));
    }

    /**
     * Adds the age of a report of LSN {@code x} made at {@code at}: how long before {@code at} the
     * leader's LSN moved past x (0 if it had not), taking the midpoint between the two truth samples
     * around that moment (so within half a sampling interval). A report older than the first truth
     * sample cannot be dated and is counted in {@code out[0]} as a negative marker instead.
     */
    private static void age(List<long[]> truth, long x, long at, List<Double> out) {
        synchronized (truth) {
            for (int j = 0; j < truth.size() && truth.get(j)[0] <= at; j++) {
                if (truth.get(j)[1] > x) {
                    if (j == 0) {
                        out.add(-1.0);
                    } else {
                        long passed = (truth.get(j - 1)[0] + truth.get(j)[0]) / 2;
                        out.add(Math.max(0, at - passed) / 1e9);
                    }
                    return;
                }
            }
        }
        out.add(0.0);
    }

    private static double worstReplayLag(ScrapeText m) {
        double worst = 0;
        for (var labels : m.labelSets("meridian_replication_lag_bytes")) {
            if ("replay".equals(labels.get("stage"))) {
                worst = Math.max(worst, m.value("meridian_replication_lag_bytes", "member", labels.get("member"),
                        "stage", "replay").orElse(0));
            }
        }
        return worst;
    }

    private static long[] latest(List<long[]> truth) {
        synchronized (truth) {
            return truth.isEmpty() ? new long[] {0, 0, 0} : truth.get(truth.size() - 1);
        }
    }

    private static void print(String name, List<Double> values) {
        long undated = values.stream().filter(v -> v < 0).count();
        if (undated > 0) {
            System.out.println(name + " undated (older than the first truth sample): " + undated);
        }
        double[] a = values.stream().mapToDouble(Double::doubleValue).filter(v -> v >= 0).sorted().toArray();
        if (a.length == 0) {
            System.out.println(name + " no samples (is the write load running?)");
            return;
        }
        System.out.printf(Locale.ROOT, "%s n=%d p50=%.3f p90=%.3f p99=%.3f max=%.3f mean=%.3f over_1=%d%n", name, a.length,
                pct(a, 50), pct(a, 90), pct(a, 99), a[a.length - 1], Arrays.stream(a).average().orElse(0),
                Arrays.stream(a).filter(v -> v > 1.0).count());
    }

    private static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + r.statusCode());
        }
        return r.body();
    }
}
