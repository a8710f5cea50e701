package io.meridian.core.failover;

import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.MemberTags;

/**
 * A node as the failover decision sees it, merged from its member key and, when it answered, a
 * fresh call to its REST API (the member key can be one loop old; the race needs now).
 *
 * @param name        member name
 * @param region      member region
 * @param tags        nofailover / failover_priority
 * @param running     PostgreSQL is up and answering
 * @param inRecovery  PostgreSQL runs as a standby
 * @param timeline    its timeline
 * @param lsn         furthest WAL it holds (received, else replayed)
 * @param replicating its WAL receiver was streaming from the leader until the leader went missing,
 *                    within {@code ttl + 2 × loop_wait + retry_timeout} (after a primary dies the
 *                    receiver disconnects at once, so "streaming now" would rule out every candidate)
 * @param reachable   its agent answered us just now
 */
public record Candidate(
        String name,
        String region,
        MemberTags tags,
        boolean running,
        boolean inRecovery,
        long timeline,
        Lsn lsn,
        boolean replicating,
        boolean reachable) {
}
