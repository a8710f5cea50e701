package io.meridian.core.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A pending planned switchover or manual failover in {@code /failover}.
 *
 * @param leader      for a switchover, the leader that must step down (null for a failover)
 * @param candidate   the node to promote, or null for "best candidate"
 * @param scheduledAt epoch millis at which to act, or 0 for now
 * @param requestedAt epoch millis when the operator asked
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SwitchoverRequest(
        String leader,
        String candidate,
        @JsonProperty("scheduled_at") long scheduledAt,
        @JsonProperty("requested_at") long requestedAt) {

    public boolean isFailover() {
        return leader == null || leader.isEmpty();
    }
}
