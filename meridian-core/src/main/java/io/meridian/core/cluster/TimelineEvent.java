package io.meridian.core.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One leadership change, appended to {@code /history} by the new leader.
 *
 * @param timeline    timeline the new leader started
 * @param lsn         WAL position where the previous timeline ended
 * @param reason      why: {@code failover}, {@code switchover}, {@code bootstrap} …
 * @param atMillis    epoch millis of the promotion
 * @param newLeader   member that became leader
 * @param oldLeader   member that led before, if known
 * @param region      region of the new leader
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TimelineEvent(
        long timeline,
        Lsn lsn,
        String reason,
        @JsonProperty("at") long atMillis,
        @JsonProperty("new_leader") String newLeader,
        @JsonProperty("old_leader") String oldLeader,
        String region) {
}
