package io.meridian.agent.rest;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.postgres.PgState;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The status code of each health endpoint, as Patroni answers them, so an HAProxy set up for
 * Patroni ({@code option httpchk OPTIONS /primary}, {@code /replica?lag=10MB}) works unchanged.
 * Pure: the inputs are what the HA loop last saw.
 */
public final class HealthCheck {

    /** Every path {@link #status} answers; the REST API serves these from its own threads. */
    public static final Set<String> PATHS = Set.of("/", "/primary", "/read-write", "/master", "/leader", "/replica",
            "/read-only", "/asynchronous", "/async", "/synchronous", "/sync", "/health", "/liveness", "/readiness",
            "/standby-leader", "/standby_leader", "/quorum", "/read-only-quorum", "/read-only-sync",
            "/read-only-synchronous");

    /** Paths Patroni answers without looking at {@code ?tag_key=value}: who leads does not depend on tags. */
    private static final Set<String> TAGLESS = Set.of("/", "/primary", "/read-write", "/master", "/leader",
            "/standby-leader", "/standby_leader", "/liveness", "/readiness");
    private static final String TAG_PREFIX = "tag_";

    private HealthCheck() {
    }

    /**
     * Refuses a parameter that no path could use, on any health path: {@code /primary?lag=abc} is a
     * typo in a load balancer's check, better answered 400 at once than ignored until a failover.
     *
     * @throws IllegalArgumentException naming the parameter and what was expected
     */
    public static void validate(Map<String, String> query) {
        if (query.containsKey("lag")) {
            parseBytes(query.get("lag"));
        }
        String state = query.get("replication_state");
        if (state != null && !state.equals("streaming") && !state.equals("in archive recovery")) {
            throw new IllegalArgumentException("replication_state: expected streaming or in archive recovery, got \""
                    + state + "\"");
        }
    }

    /**
     * @param path          request path, e.g. {@code /replica}
     * @param query         decoded query parameters
     * @param cluster       last cluster record (null before the first cycle)
     * @param me            this member's name
     * @param pg            last observation of the local PostgreSQL
     * @param loopAgeMillis how long since the last HA cycle finished
     * @param tags          the node's tags ({@code noloadbalance}, and what {@code ?tag_key=value} compares)
     * @return 200 or 503, or 404 for a path that is not a health check
     */
    public static int status(String path, Map<String, String> query, Cluster cluster, String me, PgState pg,
                             long loopAgeMillis, MemberTags tags) {
        int code = check(path, query, cluster, me, pg, loopAgeMillis, tags.noLoadBalance());
        return code == 200 && !TAGLESS.contains(path) && !tagsMatch(query, tags) ? 503 : code;
    }

    /**
     * Patroni's tag filter: every {@code tag_<key>=<value>} parameter must name one of the node's
     * tags and equal its value as text (booleans lower case, {@code true}/{@code false}); any
     * mismatch, or an unknown tag, fails the check.
     */
    public static boolean tagsMatch(Map<String, String> query, MemberTags tags) {
        Map<String, Object> mine = PatroniStatus.tags(tags);
        for (Map.Entry<String, String> q : query.entrySet()) {
            if (!q.getKey().startsWith(TAG_PREFIX)) {
                continue;
            }
            Object value = mine.get(q.getKey().substring(TAG_PREFIX.length()));
            if (value == null || !String.valueOf(value).toLowerCase(Locale.ROOT).equals(q.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static int check(String path, Map<String, String> query, Cluster cluster, String me, PgState pg,
                             long loopAgeMillis, boolean noLoadBalance) {
        boolean leader = cluster != null && cluster.isLeader(me);
        boolean primary = pg.running() && !pg.inRecovery() && leader;
        boolean replica = pg.running() && pg.inRecovery();
        return switch (path) {
            case "/", "/primary", "/read-write", "/master" -> ok(primary);
            case "/leader" -> ok(leader && pg.running());
            case "/replica" -> ok(replica && !noLoadBalance && withinLag(query, cluster, pg) && stateMatches(query, pg));
            case "/read-only" -> ok((primary || (replica && withinLag(query, cluster, pg))) && !noLoadBalance);
            case "/asynchronous", "/async" -> ok(replica && !isSync(cluster, me) && withinLag(query, cluster, pg));
            case "/synchronous", "/sync" -> ok(replica && isSync(cluster, me));
            case "/health" -> ok(pg.running());
            // Meridian runs no standby cluster (a cluster replicating from another one) yet: no node
            // is ever its leader, so this is 503 everywhere, as Patroni answers in a primary cluster.
            case "/standby-leader", "/standby_leader" -> 503;
            // Patroni's replica conditions, for a member of the synchronous set. Meridian's set is a
            // quorum (ANY n), so its members are both Patroni's sync and quorum standbys.
            case "/quorum" -> ok(isSync(cluster, me) && patroniReplica(query, cluster, pg, noLoadBalance));
            case "/read-only-quorum", "/read-only-sync", "/read-only-synchronous" -> ok(primary
                    || (isSync(cluster, me) && patroniReplica(query, cluster, pg, noLoadBalance)));
            // A new leader waiting for routers (router_wait_timeout) holds one cycle that long, alive.
            case "/liveness" -> ok(cluster == null || loopAgeMillis <= (leader ? 1 : 2) * cluster.config().ttlMillis()
                    + cluster.config().routerWaitTimeoutMillis());
            case "/readiness" -> ok(primary || (replica && pg.streaming() && withinLag(
                    query.containsKey("lag") ? query : Map.of("lag", Long.toString(
                            cluster == null ? Long.MAX_VALUE : cluster.config().maximumLagOnFailover())), cluster, pg)));
            default -> 404;
        };
    }

    /** Patroni's {@code replica_status_code}: a running replica, load-balanced, within {@code ?lag}. */
    private static boolean patroniReplica(Map<String, String> query, Cluster cluster, PgState pg, boolean noLoadBalance) {
        return pg.running() && pg.inRecovery() && !noLoadBalance && withinLag(query, cluster, pg);
    }

    private static int ok(boolean b) {
        return b ? 200 : 503;
    }

    private static boolean isSync(Cluster c, String me) {
        return c != null && c.sync().members().contains(me);
    }

    private static boolean stateMatches(Map<String, String> q, PgState pg) {
        String want = q.get("replication_state");
        return want == null || ("streaming".equals(want) ? pg.streaming() : !pg.streaming());
    }

    /** Patroni's rule: lag = max(leader's last known position, what we received) - what we replayed. */
    static boolean withinLag(Map<String, String> q, Cluster c, PgState pg) {
        String raw = q.get("lag");
        if (raw == null) {
            return true;
        }
        long max = parseBytes(raw);
        Lsn leader = c == null ? Lsn.ZERO : c.leaderMember().map(m -> m.writeLsn()).orElse(c.status().leaderLsn());
        Lsn top = Lsn.max(Lsn.max(leader, c == null ? Lsn.ZERO : c.status().leaderLsn()), pg.receiveLsn());
        return top.bytesAfter(pg.replayLsn()) <= max;
    }

    /** {@code 1048576}, {@code 16kB}, {@code 10MB}, {@code 1GB} (PostgreSQL's units, case-insensitive). */
    public static long parseBytes(String raw) {
        String s = raw.trim().toUpperCase(Locale.ROOT);
        long mult = 1;
        for (var u : new String[][] {{"TB", "1099511627776"}, {"GB", "1073741824"}, {"MB", "1048576"}, {"KB", "1024"}, {"B", "1"}}) {
            if (s.endsWith(u[0])) {
                mult = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(s), mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("lag: expected bytes like 1048576, 16kB, 10MB or 1GB, got \"" + raw + "\"");
        }
    }
}
