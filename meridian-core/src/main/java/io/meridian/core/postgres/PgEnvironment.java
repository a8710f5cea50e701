package io.meridian.core.postgres;

import java.util.Map;

/**
 * The environment a PostgreSQL process started by Meridian may inherit. libpq takes a default for
 * almost every connection parameter from a {@code PG*} variable, and a parameter left out of a
 * connection string falls back to it: a {@code PGPASSWORD} exported for the superuser in the shell
 * that started the agent reaches the postmaster, and its WAL receiver sends it for the replication
 * user instead of the passfile named in primary_conninfo (libpq's order is password, PGPASSWORD,
 * passfile). pg_ctl and the server read some too ({@code PGDATA}, {@code PGPORT}, {@code PGCTLTIMEOUT}).
 *
 * <p>So every process Meridian starts gets the inherited environment without any variable whose
 * name starts with {@code PG}, and then only what Meridian sets on purpose (PGPASSFILE and the TLS
 * options for pg_basebackup and pg_rewind). Removing the whole prefix, not a list, keeps up with
 * each release's new ones (PGREQUIREAUTH in 16, PGSSLNEGOTIATION in 17). Patroni does the same.
 *
 * <p>pgjdbc reads only {@code PGPASSFILE} (when no password is given), and {@code PGSERVICEFILE}
 * and {@code PGSYSCONFDIR} (for a {@code service=} URL): the agent's connections always carry a
 * password and never a service, so none of them applies.
 */
public final class PgEnvironment {

    private PgEnvironment() {
    }

    /** Removes every libpq, pg_ctl and server variable from {@code env} (a ProcessBuilder's, typically). */
    public static void clean(Map<String, String> env) {
        env.keySet().removeIf(PgEnvironment::isLibpqVariable);
    }

    static boolean isLibpqVariable(String name) {
        return name.startsWith("PG");
    }
}
