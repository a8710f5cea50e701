package io.meridian.core.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * What an old primary committed after its timeline forked from the new leader's, and that
 * pg_rewind then discarded when it rejoined: the commits were acknowledged to their clients but
 * are on no other node. The divergent WAL itself and the full list of xids stay on that node, in
 * {@code folder} ({@code summary.json} beside the segments); this record, attached to the
 * failover's {@link TimelineEvent}, is what {@code meridian history} shows and what
 * {@code meridian_lost_transactions_total} counts.
 *
 * @param member        the node whose commits were lost
 * @param fromTimeline  the timeline it wrote them on
 * @param toTimeline    the timeline that left it (the failover's)
 * @param fork          where {@code toTimeline} left {@code fromTimeline}: the lost WAL starts here
 * @param end           the end of the node's WAL on {@code fromTimeline}
 * @param commits       number of transactions committed past {@code fork}
 * @param firstXid      the first of them (WAL order), 0 when none
 * @param lastXid       the last of them, 0 when none
 * @param firstCommitAt epoch millis of the first COMMIT record, 0 when unknown
 * @param lastCommitAt  epoch millis of the last COMMIT record, 0 when unknown
 * @param tables        relations they changed, {@code schema.table} where the leader's catalog named
 *                      them, else {@code spc/db/relfilenode}; at most {@link #MAX_TABLES}
 * @param folder        where the node saved the WAL and the summary
 * @param atMillis      epoch millis when the node saved it (just before pg_rewind)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LostTransactions(
        String member,
        @JsonProperty("from_timeline") long fromTimeline,
        @JsonProperty("to_timeline") long toTimeline,
        Lsn fork,
        Lsn end,
        long commits,
        @JsonProperty("first_xid") long firstXid,
        @JsonProperty("last_xid") long lastXid,
        @JsonProperty("first_commit_at") long firstCommitAt,
        @JsonProperty("last_commit_at") long lastCommitAt,
        List<String> tables,
        String folder,
        @JsonProperty("at") long atMillis) {

    /** Tables named in etcd; the summary file on the node has them all. */
    public static final int MAX_TABLES = 20;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    public LostTransactions {
        tables = tables == null ? List.of() : List.copyOf(tables.subList(0, Math.min(tables.size(), MAX_TABLES)));
    }

    /** Same member and folder: one save, whether or not its recording was retried. */
    public boolean sameSave(LostTransactions other) {
        return other != null && java.util.Objects.equals(member, other.member) && java.util.Objects.equals(folder, other.folder);
    }

    /** "paris-1 lost 42 commits (xids 751-792, 11:00:01-11:00:04 UTC, public.orders) … saved in …" */
    public String describe() {
        StringBuilder s = new StringBuilder(member).append(" lost ").append(commits)
                .append(commits == 1 ? " commit" : " commits").append(" (xids ").append(firstXid);
        if (lastXid != firstXid) {
            s.append('-').append(lastXid);
        }
        if (firstCommitAt > 0) {
            s.append(", ").append(CLOCK.format(Instant.ofEpochMilli(firstCommitAt)));
            if (lastCommitAt / 1000 != firstCommitAt / 1000) {
                s.append('-').append(CLOCK.format(Instant.ofEpochMilli(lastCommitAt)));
            }
            s.append(" UTC");
        }
        if (!tables.isEmpty()) {
            s.append(", ").append(String.join(", ", tables));
        }
        return s.append(") on timeline ").append(fromTimeline).append(" past ").append(fork)
                .append(", saved in ").append(folder).toString();
    }
}
