package io.meridian.core.postgres;

import io.meridian.core.cluster.Member;
import io.meridian.core.config.NodeConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names the relations a stretch of WAL changed ({@code spc/db/relfilenode}) as {@code schema.table},
 * by asking the leader's catalog, one connection per database. The leader shares the rewound
 * node's catalog up to the fork, so a relation that existed then has the same file number there
 * unless one side rewrote it since (TRUNCATE, VACUUM FULL); a file created within the lost WAL is
 * never looked up, since the leader may have given its number to another relation. Unnamed
 * relations keep their numbers.
 */
final class RelfilenodeNames {

    private static final Logger LOG = LoggerFactory.getLogger(RelfilenodeNames.class);

    private final NodeConfig.Postgres pg;

    RelfilenodeNames(NodeConfig.Postgres pg) {
        this.pg = pg;
    }

    /** {@code spc/db/relfilenode} → {@code schema.table} for the relations the leader could name. */
    Map<String, String> resolve(Member leader, List<WaldumpCommits.RelFile> relations) {
        Map<String, String> names = new HashMap<>();
        Map<Long, String> databases = databases(leader);
        Map<Long, List<WaldumpCommits.RelFile>> byDb = new TreeMap<>();
        for (WaldumpCommits.RelFile r : relations) {
            if (!r.createdInWal()) {
                byDb.computeIfAbsent(r.db(), d -> new ArrayList<>()).add(r);
            }
        }
        for (var e : byDb.entrySet()) {
            String db = e.getKey() == 0 ? "postgres" : databases.get(e.getKey()); // db 0: a shared catalog
            if (db == null) {
                continue;
            }
            try (Connection c = PgConnect.open(leader.host(), leader.port(), db, pg.superuser(), 5, 30, pg.tls());
                 PreparedStatement ps = c.prepareStatement("SELECT n.nspname || '.' || c.relname FROM pg_class c"
                         + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = pg_filenode_relation(?, ?)")) {
                for (WaldumpCommits.RelFile r : e.getValue()) {
                    ps.setLong(1, r.spc());
                    ps.setLong(2, r.relfilenode());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            names.put(r.key(), rs.getString(1));
                        }
                    }
                }
            } catch (SQLException ex) {
                LOG.info("cannot name relations of database {} on {}: {}", db, leader.name(), ex.getMessage());
            }
        }
        return names;
    }

    private Map<Long, String> databases(Member leader) {
        Map<Long, String> out = new HashMap<>();
        try (Connection c = PgConnect.open(leader.host(), leader.port(), pg.superuser(), 5, 30, pg.tls());
             PreparedStatement ps = c.prepareStatement("SELECT oid, datname FROM pg_database WHERE datallowconn");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getString(2));
            }
        } catch (SQLException e) {
            LOG.info("cannot list the databases of {} to name relations: {}", leader.name(), e.getMessage());
        }
        return out;
    }
}
