package io.meridian.cli.plan;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * WAL positions sampled over the window, and the rates they give: the average (first to last
 * sample, what the links must carry), and the peak and 95th percentile of the rates between
 * consecutive samples (what the margin must absorb).
 *
 * @param samples seconds since the first sample and WAL bytes written, in order
 */
record WalWindow(List<Sample> samples) {

    record Sample(double seconds, double walBytes) {
    }

    WalWindow {
        samples = List.copyOf(samples);
    }

    static WalWindow of(List<MetricsScrape> scrapes) {
        List<Sample> out = new ArrayList<>();
        long t0 = -1;
        for (MetricsScrape s : scrapes) {
            if (Double.isNaN(s.walBytesTotal())) {
                continue;
            }
            if (t0 < 0) {
                t0 = s.atNanos();
            }
            out.add(new Sample((s.atNanos() - t0) / 1e9, s.walBytesTotal()));
        }
        return new WalWindow(out);
    }

    @JsonProperty("window_seconds")
    double seconds() {
        return samples.size() < 2 ? 0 : samples.get(samples.size() - 1).seconds();
    }

    @JsonProperty("wal_bytes")
    double bytes() {
        return samples.size() < 2 ? 0 : samples.get(samples.size() - 1).walBytes() - samples.get(0).walBytes();
    }

    @JsonProperty("wal_bytes_per_second")
    double averageBytesPerSecond() {
        return seconds() <= 0 ? Double.NaN : bytes() / seconds();
    }

    /** Rates between consecutive samples, in order. */
    @JsonIgnore
    double[] stepRates() {
        double[] r = new double[Math.max(0, samples.size() - 1)];
        for (int i = 1; i < samples.size(); i++) {
            double dt = samples.get(i).seconds() - samples.get(i - 1).seconds();
            r[i - 1] = dt <= 0 ? 0 : (samples.get(i).walBytes() - samples.get(i - 1).walBytes()) / dt;
        }
        return r;
    }

    @JsonProperty("wal_peak_bytes_per_second")
    double peakBytesPerSecond() {
        return Arrays.stream(stepRates()).max().orElse(Double.NaN);
    }

    /** Nearest-rank 95th percentile of the step rates. */
    @JsonProperty("wal_p95_bytes_per_second")
    double p95BytesPerSecond() {
        double[] r = stepRates();
        if (r.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(r);
        return r[(int) Math.ceil(0.95 * r.length) - 1];
    }
}
