package io.meridian.core.postgres;

import io.meridian.core.config.NodeConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The superuser SQL the agent sends: roles, slots, checkpoints. Each call opens its own short
 * connection (the observe() connection stays dedicated to the per-cycle query).
 */
final class AdminSql {

    private static final Logger LOG = LoggerFactory.getLogger(AdminSql.class);

    /** Work over one connection; SQLException is translated into an error naming the action. */
    @FunctionalInterface
    interface Work<T> {
        T apply(Connection c) throws SQLException;
    }

    private final NodeConfig.Credentials superuser;
    private final NodeConfig.Tls tls;

    AdminSql(NodeConfig.Credentials superuser, NodeConfig.Tls tls) {
        this.superuser = superuser;
        this.tls = tls;
    }

    <T> T on(String host, int port, String action, Work<T> work) throws PostgresException {
        // socketTimeout 120 s: CHECKPOINT on a busy server is the slowest statement sent here.
        try (Connection c = PgConnect.open(host, port, superuser, 5, 120, tls)) {
            return work.apply(c);
        } catch (SQLException e) {
            throw new PostgresException(action + " on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    void ensureReplicationRole(String host, int port, NodeConfig.Credentials role) throws PostgresException {
        on(host, port, "ensure replication role " + role.username(), c -> {
            PGConnection pgc = c.unwrap(PGConnection.class);
            boolean present;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                ps.setString(1, role.username());
                try (ResultSet rs = ps.executeQuery()) {
                    present = rs.next();
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute((present ? "ALTER" : "CREATE") + " ROLE " + pgc.escapeIdentifier(role.username())
                        + " LOGIN REPLICATION");
            }
            // Hashed client-side: the server (and its log) only ever sees the SCRAM verifier.
            pgc.alterUserPassword(role.username(), role.password().toCharArray(), "scram-sha-256");
            return null;
        });
    }

    void syncSlots(String host, int port, Collection<String> wanted, Collection<String> droppable) throws PostgresException {
        for (String s : wanted) {
            checkSlotName(s);
        }
        on(host, port, "sync replication slots", c -> {
            Map<String, Boolean> existing = new HashMap<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT slot_name, active FROM pg_replication_slots WHERE slot_type = 'physical'")) {
                while (rs.next()) {
                    existing.put(rs.getString(1), rs.getBoolean(2));
                }
            }
            for (String s : wanted) {
                if (!existing.containsKey(s)) {
                    createSlot(c, s);
                    LOG.info("created physical slot {}", s);
                }
            }
            for (String s : droppable) {
                if (wanted.contains(s) || !existing.containsKey(s)) {
                    continue;
                }
                if (existing.get(s)) {
                    // Dropping would fail; once its WAL sender times out the next cycle drops it.
                    LOG.info("slot {} is still in use by a WAL sender; dropping it on a later cycle", s);
                    continue;
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                    ps.setString(1, s);
                    ps.execute();
                }
                LOG.info("dropped physical slot {}", s);
            }
            return null;
        });
    }

    /** Creates {@code slot} on the leader unless present (before pg_basebackup streams through it). */
    void ensureSlot(String host, int port, String slot) throws PostgresException {
        checkSlotName(slot);
        on(host, port, "create slot " + slot, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        createSlot(c, slot);
                    }
                }
            }
            return null;
        });
    }

    void checkpoint(String host, int port) throws PostgresException {
        on(host, port, "checkpoint", c -> {
            try (Statement st = c.createStatement()) {
                st.execute("CHECKPOINT");
            }
            return null;
        });
    }

    /**
     * Checkpoints a primary whose control file still names the timeline before its promotion:
     * pg_rewind reads the source's timeline from there and would otherwise see no divergence.
     */
    void checkpointIfTimelineStale(String host, int port) throws PostgresException {
        on(host, port, "checkpoint before pg_rewind", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT NOT pg_is_in_recovery() AND (pg_control_checkpoint()).timeline_id <> "
                            + "('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::bigint")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    st.execute("CHECKPOINT");
                }
            }
            return null;
        });
    }

    /** Creates a physical slot reserving WAL now; a concurrent creator (the leader's own sync) is fine. */
    private static void createSlot(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_create_physical_replication_slot(?, true)")) {
            ps.setString(1, slot);
            ps.execute();
        } catch (SQLException e) {
            if (!"42710".equals(e.getSQLState())) { // duplicate_object
                throw e;
            }
        }
    }

    static void checkSlotName(String slot) throws PostgresException {
        if (slot == null || !slot.matches("[a-z0-9_]{1,63}")) {
            throw new PostgresException("replication slot name '" + slot + "' must be 1-63 of [a-z0-9_]");
        }
    }
}
