package io.meridian.core.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.core.cluster.Lsn;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The observe() query: everything the HA loop needs in one round trip. Functions that fail in
 * recovery (pg_current_wal_lsn) or on a primary (pg_get_wal_replay_pause_state) sit behind CASE on
 * pg_is_in_recovery(); both are volatile, so PostgreSQL evaluates only the branch taken.
 */
final class StateQuery {

    static final String SQL = """
            SELECT r.rec,
              CASE WHEN r.rec
                THEN coalesce(w.received_tli, (pg_control_checkpoint()).timeline_id)::bigint
                -- the WAL file name carries the insert timeline; pg_control_checkpoint() lags until
                -- the first checkpoint after a promotion
                ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::bigint END,
              CASE WHEN r.rec THEN NULL ELSE pg_current_wal_lsn()::text END,
              pg_last_wal_receive_lsn()::text,
              pg_last_wal_replay_lsn()::text,
              w.status,
              w.sender_host,
              CASE WHEN NOT r.rec THEN 0
                   WHEN pg_last_wal_receive_lsn() IS NULL THEN -1
                   WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
                   ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8, -1) END,
              CASE WHEN r.rec THEN pg_get_wal_replay_pause_state() <> 'not paused' ELSE false END,
              (SELECT system_identifier FROM pg_control_system())::text,
              CASE WHEN r.rec THEN 0 ELSE (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint END,
              (SELECT coalesce(json_agg(json_build_object(
                  'name', application_name, 'addr', host(client_addr), 'state', state,
                  'sent', sent_lsn::text, 'write', write_lsn::text, 'flush', flush_lsn::text,
                  'replay', replay_lsn::text,
                  'wlag', coalesce(extract(epoch FROM write_lag)::float8, -1),
                  'flag', coalesce(extract(epoch FROM flush_lag)::float8, -1),
                  'rlag', coalesce(extract(epoch FROM replay_lag)::float8, -1),
                  'sync', sync_state)), '[]') FROM pg_stat_replication),
              (SELECT coalesce(json_agg(json_build_object(
                  'name', slot_name, 'physical', slot_type = 'physical', 'active', active,
                  'restart', restart_lsn::text,
                  'retained', coalesce((CASE WHEN r.rec THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END
                                        - restart_lsn)::bigint, 0),
                  'wal_status', wal_status)), '[]') FROM pg_replication_slots)
            FROM (SELECT pg_is_in_recovery() AS rec) r
            LEFT JOIN pg_stat_wal_receiver w ON true
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    private StateQuery() {
    }

    static PgState run(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SQL)) {
            if (!rs.next()) {
                throw new SQLException("observe query returned no row");
            }
            boolean inRecovery = rs.getBoolean(1);
            return new PgState(true, inRecovery, rs.getLong(2),
                    Lsn.ofNullable(rs.getString(3)), Lsn.ofNullable(rs.getString(4)), Lsn.ofNullable(rs.getString(5)),
                    "streaming".equals(rs.getString(6)), rs.getString(7), rs.getDouble(8), rs.getBoolean(9),
                    rs.getString(10), replicas(rs.getString(12)), slots(rs.getString(13)), rs.getLong(11));
        }
    }

    private static List<PgState.ReplicaConnection> replicas(String json) throws SQLException {
        List<PgState.ReplicaConnection> out = new ArrayList<>();
        for (JsonNode n : tree(json)) {
            out.add(new PgState.ReplicaConnection(text(n, "name"), text(n, "addr"), text(n, "state"),
                    Lsn.ofNullable(text(n, "sent")), Lsn.ofNullable(text(n, "write")), Lsn.ofNullable(text(n, "flush")),
                    Lsn.ofNullable(text(n, "replay")), n.path("wlag").asDouble(-1), n.path("flag").asDouble(-1),
                    n.path("rlag").asDouble(-1), text(n, "sync")));
        }
        return out;
    }

    private static List<PgState.SlotInfo> slots(String json) throws SQLException {
        List<PgState.SlotInfo> out = new ArrayList<>();
        for (JsonNode n : tree(json)) {
            out.add(new PgState.SlotInfo(text(n, "name"), n.path("physical").asBoolean(), n.path("active").asBoolean(),
                    Lsn.ofNullable(text(n, "restart")), n.path("retained").asLong(0), text(n, "wal_status")));
        }
        return out;
    }

    private static JsonNode tree(String json) throws SQLException {
        try {
            return JSON.readTree(json == null ? "[]" : json);
        } catch (java.io.IOException e) {
            throw new SQLException("observe query returned malformed JSON: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
