package io.meridian.lab.drill;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What one drill trial measured. Seconds are counted from the fault injection.
 *
 * @param rtoSeconds         write downtime: from the fault to the write that ended the longest
 *                           stretch without acknowledgements after it (null: no recovery)
 * @param maxGapSeconds      longest stretch between two acknowledgements during the whole trial
 * @param promotedSeconds    when the history recorded the new leader's promotion (null: none)
 * @param lostWrites         acknowledged writes the new leader does not hold (split-brain ones not counted again)
 * @param splitBrainWrites   writes acknowledged by a node after another node's promotion, from
 *                           every writer (the direct writer's included)
 * @param directAckedWrites  writes the direct writer (one fixed DSN: the old leader's PostgreSQL,
 *                           never re-targeted) got acknowledged
 * @param directSplitBrainWrites the direct writer's split-brain writes: commits the old leader
 *                           acknowledged after another node's promotion, which a client
 *                           connected straight to PostgreSQL (no router) takes for durable
 * @param timeline           the leader's timeline after the trial
 * @param attempts           every write attempt of the trial (for the chart; not in the JSON)
 * @param strandedAttempts   the direct writer's attempts (for the chart; not in the JSON)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TrialResult(
        int trial,
        String fault,
        @JsonProperty("old_leader") String oldLeader,
        @JsonProperty("old_region") String oldRegion,
        @JsonProperty("new_leader") String newLeader,
        @JsonProperty("new_region") String newRegion,
        long timeline,
        @JsonProperty("rto_seconds") Double rtoSeconds,
        @JsonProperty("max_gap_seconds") Double maxGapSeconds,
        @JsonProperty("promoted_seconds") Double promotedSeconds,
        @JsonProperty("acked_writes") long ackedWrites,
        @JsonProperty("failed_attempts") long failedAttempts,
        @JsonProperty("lost_writes") Long lostWrites,
        @JsonProperty("lost_ids") List<Long> lostIds,
        @JsonProperty("split_brain_writes") long splitBrainWrites,
        @JsonProperty("direct_acked_writes") long directAckedWrites,
        @JsonProperty("direct_split_brain_writes") long directSplitBrainWrites,
        @JsonProperty("fault_at_ms") long faultAtMillis,
        String error,
        @JsonIgnore long faultNs,
        @JsonIgnore List<WriteAttempt> attempts,
        @JsonIgnore List<WriteAttempt> strandedAttempts) {

    @JsonIgnore
    public boolean recovered() {
        return rtoSeconds != null;
    }
}
