package io.meridian.agent;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.MemberTags;

/**
 * This node as its REST API reports it ({@code GET /status}, also at Patroni's {@code /patroni}).
 * Peers read it during a leader race, so it is computed fresh on every request.
 */
public record NodeStatus(
        String name,
        String region,
        String role,
        String state,
        long timeline,
        @JsonProperty("in_recovery") boolean inRecovery,
        @JsonProperty("write_lsn") Lsn writeLsn,
        @JsonProperty("receive_lsn") Lsn receiveLsn,
        @JsonProperty("replay_lsn") Lsn replayLsn,
        @JsonProperty("replication_state") String replicationState,
        @JsonProperty("replicating") boolean replicating,
        @JsonProperty("replay_lag_seconds") double replayLagSeconds,
        @JsonProperty("is_leader") boolean isLeader,
        @JsonProperty("postmaster_pid") long postmasterPid,
        @JsonProperty("system_id") String systemId,
        @JsonProperty("paused") boolean paused,
        @JsonProperty("last_cycle") String lastCycle,
        @JsonProperty("last_cycle_at") long lastCycleAtMillis,
        MemberTags tags) {
}
