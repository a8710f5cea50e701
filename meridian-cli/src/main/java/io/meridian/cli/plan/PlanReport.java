package io.meridian.cli.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.meridian.core.plan.TopologyRow;
import java.util.List;

/**
 * What {@code meridian plan} found and computed, as {@code --format json} prints it: every key
 * names its unit.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PlanReport(
        String cluster,
        String leader,
        @JsonProperty("leader_region") String leaderRegion,
        @JsonProperty("synchronous_mode") String synchronousMode,
        @JsonProperty("synchronous_node_count") int synchronousNodeCount,
        Measured measured,
        @JsonProperty("round_trips") List<RoundTrip> roundTrips,
        List<Link> links,
        List<Commit> commit,
        @JsonProperty("commit_probe") Probe commitProbe,
        List<TopologyRow> topologies,
        @JsonProperty("price_table") String priceTable,
        @JsonProperty("plan_seconds") double planSeconds) {

    /**
     * @param walSource  where the WAL positions came from
     * @param history    what peak and p95 are taken over
     */
    record Measured(
            @JsonProperty("window_seconds") double windowSeconds,
            @JsonProperty("samples") int samples,
            @JsonProperty("wal_bytes") double walBytes,
            @JsonProperty("wal_bytes_per_second") double walBytesPerSecond,
            @JsonProperty("wal_peak_bytes_per_second") double walPeakBytesPerSecond,
            @JsonProperty("wal_p95_bytes_per_second") double walP95BytesPerSecond,
            @JsonProperty("wal_source") String walSource,
            String history,
            @JsonProperty("database_size_bytes") Long databaseSizeBytes,
            @JsonProperty("database_growth_bytes_per_day") Double databaseGrowthBytesPerDay,
            @JsonProperty("database_source") String databaseSource) {
    }

    /** @param rttMillis median over the window, NaN when never measured (an idle standby reports none) */
    record RoundTrip(String member, String region, @JsonProperty("rtt_ms") double rttMillis, int samples, String source) {
    }

    record Link(String from, String to, @JsonProperty("rtt_ms") double rttMillis,
                @JsonProperty("bandwidth_min_mbps") double minMbps,
                @JsonProperty("bandwidth_recommended_mbps") double recommendedMbps,
                @JsonProperty("bandwidth_peak_mbps") double peakMbps,
                @JsonProperty("transfer_gb_per_month") double transferGbPerMonth) {
    }

    record Commit(String mode, @JsonProperty("current") boolean current, int quorum,
                  @JsonProperty("waits_for") List<String> waitsFor,
                  @JsonProperty("commit_latency_floor_ms") double floorMillis,
                  @JsonProperty("commits_per_second_ceiling") double perSession,
                  int sessions,
                  @JsonProperty("commits_per_second_ceiling_sessions") double withSessions) {
    }

    record Probe(String mode, int commits, double seconds,
                 @JsonProperty("commit_latency_median_ms") double medianMillis,
                 @JsonProperty("commit_latency_p95_ms") double p95Millis,
                 @JsonProperty("commits_per_second") double perSecond) {
    }
}
