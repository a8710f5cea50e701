package io.meridian.agent.rest;

import java.util.List;
import java.util.Map;

/**
 * What Patroni's {@code /patroni} reports about PostgreSQL beyond the HA loop's observation: read
 * only for that answer, so the HA loop's own query stays as small as it is.
 *
 * @param postmasterStartTime {@code pg_postmaster_start_time()} as Python prints a datetime
 *                            ({@code 2026-12-06 15:46:20.123456+00:00}), as Patroni's JSON carries it
 * @param serverVersion       {@code server_version_num}, e.g. {@code 150013}
 * @param replayedTimestamp   {@code pg_last_xact_replay_timestamp()} in the same format, or null
 * @param pendingRestart      a setting changed that takes effect only at a restart
 * @param replication         {@code pg_stat_replication} rows with Patroni's six keys
 */
public record PgFacts(String postmasterStartTime, int serverVersion, String replayedTimestamp, boolean pendingRestart,
                      List<Map<String, Object>> replication) {

    /** PostgreSQL did not answer. */
    public static final PgFacts UNKNOWN = new PgFacts(null, 0, null, false, List.of());

    public PgFacts {
        replication = replication == null ? List.of() : List.copyOf(replication);
    }
}
