package io.meridian.core.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * What the leader writes to {@code /status} each cycle.
 *
 * @param leaderLsn last WAL position the leader reported; candidates measure their lag against it
 *                  when the leader is gone
 * @param timeline  the leader's timeline
 * @param slots     physical slot name to its restart LSN on the leader
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClusterStatus(
        @JsonProperty("leader_lsn") Lsn leaderLsn,
        long timeline,
        Map<String, Lsn> slots) {

    public static final ClusterStatus EMPTY = new ClusterStatus(Lsn.ZERO, 0, Map.of());

    public ClusterStatus {
        leaderLsn = leaderLsn == null ? Lsn.ZERO : leaderLsn;
        slots = slots == null ? Map.of() : Map.copyOf(slots);
    }
}
