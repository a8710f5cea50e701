package io.meridian.cli.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading the agent's exposition, and the rates of a window of samples. */
class MetricsScrapeTest {

    private static final String TEXT = String.join("\n",
            "# HELP meridian_wal_bytes_total Primary: WAL bytes written since the cluster was created.",
            "# TYPE meridian_wal_bytes_total counter",
            "meridian_wal_bytes_total{cluster=\"lab\",member=\"paris-1\",region=\"paris\"} 1.2345E7",
            "meridian_replication_lag_seconds{cluster=\"lab\",member=\"newyork-1\",region=\"newyork\",upstream=\"paris-1\","
                    + "upstream_region=\"paris\",stage=\"write\"} 0.079",
            "meridian_replication_lag_seconds{cluster=\"lab\",member=\"newyork-1\",region=\"newyork\",upstream=\"paris-1\","
                    + "upstream_region=\"paris\",stage=\"flush\"} 0.081",
            "");

    @Test
    void readsTheWalCounterAndEachStandbysFlushLag() {
        MetricsScrape s = MetricsScrape.parse(7, TEXT);
        assertThat(s.walBytesTotal()).isEqualTo(12_345_000);
        assertThat(s.flushLagSeconds()).isEqualTo(Map.of("newyork-1", 0.081));
    }

    @Test
    void aReplicaExportsNoWalCounterAndItsSamplesAreLeftOut() {
        MetricsScrape s = MetricsScrape.parse(7, "meridian_role{cluster=\"lab\",member=\"x\",region=\"r\",role=\"replica\"} 1\n");
        assertThat(s.walBytesTotal()).isNaN();
        assertThat(WalWindow.of(List.of(s)).samples()).isEmpty();
    }

    @Test
    void averagePeakAndP95OfAWindow() {
        // 1 s steps: 100, 300, 100, 100 bytes/s.
        List<MetricsScrape> scrapes = List.of(at(0, 0), at(1, 100), at(2, 400), at(3, 500), at(4, 600));
        WalWindow w = WalWindow.of(scrapes);
        assertThat(w.seconds()).isEqualTo(4);
        assertThat(w.averageBytesPerSecond()).isEqualTo(150);
        assertThat(w.peakBytesPerSecond()).isEqualTo(300);
        assertThat(w.p95BytesPerSecond()).isEqualTo(300);
    }

    private static MetricsScrape at(int second, double bytes) {
        return new MetricsScrape(second * 1_000_000_000L, bytes, Map.of());
    }
}
