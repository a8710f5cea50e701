package io.meridian.core.cluster;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

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
 * @param lost        commits that nodes still on the previous timeline had made past {@code lsn}
 *                    and lost when they rejoined (attached later, by those nodes); empty when none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TimelineEvent(
        long timeline,
        Lsn lsn,
        String reason,
        @JsonProperty("at") long atMillis,
        @JsonProperty("new_leader") String newLeader,
        @JsonProperty("old_leader") String oldLeader,
        String region,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<LostTransactions> lost) {

    @JsonCreator
    public TimelineEvent {
        lost = lost == null ? List.of() : List.copyOf(lost);
    }

    /** A promotion as the new leader records it: nothing known lost yet. */
    public TimelineEvent(long timeline, Lsn lsn, String reason, long atMillis, String newLeader, String oldLeader,
                         String region) {
        this(timeline, lsn, reason, atMillis, newLeader, oldLeader, region, List.of());
    }

    /** This event with {@code l} attached, replacing an earlier record of the same save. */
    public TimelineEvent withLost(LostTransactions l) {
        List<LostTransactions> all = new ArrayList<>(lost);
        all.removeIf(l::sameSave);
        all.add(l);
        return new TimelineEvent(timeline, lsn, reason, atMillis, newLeader, oldLeader, region, all);
    }
}
