package io.meridian.core.plan;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of {@code meridian plan --compare}.
 *
 * @param rpoBytes      acknowledged WAL a region loss may lose: 0, a lower bound (the WAL written
 *                      during half a round trip), or NaN when it is "since the last backup"
 * @param rto           write outage on a region loss, NaN when not drilled
 */
public record TopologyRow(
        String topology,
        String label,
        int nodes,
        @JsonProperty("inter_region_links") int links,
        @JsonProperty("bandwidth_min_mbps") double bandwidthMinMbps,
        @JsonProperty("bandwidth_recommended_mbps") double bandwidthRecommendedMbps,
        @JsonProperty("commit_latency_floor_ms") double commitFloorMillis,
        @JsonProperty("rpo_on_region_loss") String rpo,
        @JsonProperty("rpo_bytes") double rpoBytes,
        @JsonProperty("rto_seconds") double rto,
        @JsonProperty("rto_source") String rtoSource,
        MonthlyCost cost) {
}
