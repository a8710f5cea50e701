package io.meridian.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.agent.rest.PgFacts;
import io.meridian.core.config.NodeConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Reads what only Patroni's {@code /patroni} answer needs (postmaster start, server version, replay
 * timestamp, pending restart, {@code pg_stat_replication} with Patroni's keys) on a connection of its
 * own, held between requests and opened again when PostgreSQL restarted. The HA loop never waits on
 * it: its own observation stays in {@code LocalPostgres.observe}.
 */
final class PgFactsQuery implements AutoCloseable {

    private static final String SQL = """
            SELECT pg_postmaster_start_time(), current_setting('server_version_num')::int,
              pg_last_xact_replay_timestamp(),
              EXISTS (SELECT 1 FROM pg_settings WHERE pending_restart),
              (SELECT coalesce(json_agg(json_build_object('usename', usename, 'application_name', application_name,
                  'client_addr', host(client_addr), 'state', state, 'sync_state', sync_state,
                  'sync_priority', sync_priority)), '[]') FROM pg_stat_replication)
            """;
    /** Python's {@code str(datetime)}: what Patroni's JSON encoder writes for a timestamp. */
    private static final DateTimeFormatter PYTHON = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NodeConfig.Postgres pg;
    private Connection connection; // guarded by this

    PgFactsQuery(NodeConfig.Postgres pg) {
        this.pg = pg;
    }

    /** The facts, or {@link PgFacts#UNKNOWN} when PostgreSQL does not answer. */
    synchronized PgFacts read() {
        for (int attempt = 0; attempt < 2; attempt++) {
            boolean fresh = connection == null;
            try {
                if (fresh) {
                    connection = open();
                }
                try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(SQL)) {
                    rs.next();
                    return new PgFacts(python(rs.getObject(1, OffsetDateTime.class)), rs.getInt(2),
                            python(rs.getObject(3, OffsetDateTime.class)), rs.getBoolean(4),
                            JSON.readValue(rs.getString(5), new TypeReference<List<Map<String, Object>>>() { }));
                }
            } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
                close();
                if (fresh) {
                    return PgFacts.UNKNOWN;
                }
            }
        }
        return PgFacts.UNKNOWN;
    }

    private static String python(OffsetDateTime t) {
        return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC).format(PYTHON);
    }

    /** To the local server, as the HA loop's observer connects: the password in Properties, never in the URL. */
    private Connection open() throws SQLException {
        return io.meridian.core.postgres.PgConnect.local(pg, 2, 3);
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a dead connection
            }
            connection = null;
        }
    }
}
