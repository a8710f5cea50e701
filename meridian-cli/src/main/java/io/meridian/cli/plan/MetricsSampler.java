package io.meridian.cli.plan;

import io.meridian.core.console.CliException;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.tls.PemTls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Scrapes the leader's agent {@code /metrics} once per interval over the window. The agent
 * re-reads PostgreSQL for a scrape when its last observation is stale, so each sample is a fresh
 * {@code pg_current_wal_lsn()}, read by the agent beside the database, not across a WAN link.
 */
final class MetricsSampler {

    private final HttpClient http;
    private final URI metrics;

    MetricsSampler(String apiUrl, NodeConfig.RestTls tls) {
        try {
            this.http = PemTls.restClient(tls)
                    .connectTimeout(Duration.ofSeconds(5)).build();
        } catch (RuntimeException e) {
            throw new CliException("cannot set up TLS towards " + apiUrl + ": " + e.getMessage(), e);
        }
        this.metrics = URI.create(apiUrl.replaceAll("/+$", "") + "/metrics");
    }

    MetricsScrape scrape() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        long at = System.nanoTime();
        if (r.statusCode() != 200) {
            throw new IOException("GET " + metrics + " answered " + r.statusCode());
        }
        return MetricsScrape.parse(at, r.body());
    }

    /** Samples every {@code interval} until {@code window} has passed since the first sample. */
    List<MetricsScrape> sample(Duration window, Duration interval) throws InterruptedException {
        List<MetricsScrape> out = new ArrayList<>();
        long start = System.nanoTime();
        long next = start;
        String lastError = null;
        while (true) {
            try {
                out.add(scrape());
            } catch (IOException e) {
                lastError = e.getMessage();
            }
            if (System.nanoTime() - start >= window.toNanos()) {
                break;
            }
            next += interval.toNanos();
            long wait = Math.min(next, start + window.toNanos()) - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        if (out.size() < 2) {
            throw new CliException("the leader's agent answered " + out.size() + " of its /metrics scrapes at " + metrics
                    + (lastError == null ? "" : ": " + lastError));
        }
        return out;
    }
}
