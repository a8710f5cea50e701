package io.meridian.lab.drill;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/** Which acknowledged writes a server holds: the RPO check once a failover has settled. */
public final class AckedRows {

    private AckedRows() {
    }

    /**
     * The acknowledged ids that {@code dsn} does not hold.
     *
     * @param acked ids of acknowledged writes, any order
     * @return the missing ids, ascending
     */
    public static long[] missing(Dsn dsn, long[] acked) throws SQLException {
        if (acked.length == 0) {
            return new long[0];
        }
        long min = Arrays.stream(acked).min().getAsLong();
        long max = Arrays.stream(acked).max().getAsLong();
        Set<Long> present = new HashSet<>();
        try (Connection c = DriverManager.getConnection(dsn.jdbcUrl(), props(dsn));
             PreparedStatement s = c.prepareStatement("SELECT id FROM " + WriteLoad.TABLE + " WHERE id BETWEEN ? AND ?")) {
            s.setLong(1, min);
            s.setLong(2, max);
            s.setFetchSize(10_000);
            c.setAutoCommit(false); // a fetch size only streams inside a transaction
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    present.add(r.getLong(1));
                }
            }
            c.rollback();
        }
        return Arrays.stream(acked).filter(id -> !present.contains(id)).sorted().toArray();
    }

    private static java.util.Properties props(Dsn dsn) {
        java.util.Properties p = dsn.properties("meridian-verify");
        // Reading back every id of a long run can take more than the probe's 3 s budget.
        p.setProperty("socketTimeout", "60");
        p.setProperty("connectTimeout", "5");
        p.setProperty("loginTimeout", "10");
        return p;
    }
}
