package io.meridian.core.postgres;

import io.meridian.core.config.NodeConfig;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads a server's {@code pg_settings}, the reference {@link ParameterValidator} checks names and values against. */
public final class PgSettings {

    private PgSettings() {
    }

    /**
     * The settings of the PostgreSQL at {@code host:port}, by name, read as {@code pg}'s superuser.
     * Bounded by a 3 s connect and 5 s query timeout: a write waits on it.
     */
    public static Map<String, ParameterValidator.Setting> read(NodeConfig.Postgres pg, String host, int port)
            throws PostgresException {
        try (Connection c = PgConnect.open(PgConnect.localHost(host), port, pg.superuser(), 3, 5, pg.tls());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name, vartype, unit, min_val, max_val, enumvals FROM pg_settings")) {
            Map<String, ParameterValidator.Setting> out = new HashMap<>();
            while (rs.next()) {
                Array enums = rs.getArray("enumvals");
                List<String> values = enums == null ? List.of() : Arrays.asList((String[]) enums.getArray());
                out.put(rs.getString("name"), new ParameterValidator.Setting(rs.getString("name"), rs.getString("vartype"),
                        rs.getString("unit"), rs.getString("min_val"), rs.getString("max_val"), values));
            }
            return out;
        } catch (SQLException e) {
            throw new PostgresException("reading pg_settings on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }
}
