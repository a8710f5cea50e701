package io.meridian.agent;

import io.meridian.core.cluster.Member;
import io.meridian.core.postgres.PostgresController;
import io.meridian.core.postgres.PostgresException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node whose timeline left the leader's comes back through pg_rewind, or through a fresh clone
 * when rewind fails: never by starting on a forked history.
 */
final class Rejoin {

    private static final Logger LOG = LoggerFactory.getLogger(Rejoin.class);

    private Rejoin() {
    }

    static String run(io.meridian.core.dcs.Dcs dcs, io.meridian.core.config.NodeConfig node, long heartbeatMillis,
                      PostgresController pg, Member leader, String slot, Map<String, String> params, String why)
            throws PostgresException, io.meridian.core.dcs.DcsException {
        return MembershipKeeper.during(dcs, () -> Bootstrap.placeholder(node, "rejoining"), heartbeatMillis,
                () -> rejoin(pg, leader, slot, params, why));
    }

    private static String rejoin(PostgresController pg, Member leader, String slot, Map<String, String> params, String why)
            throws PostgresException {
        if (pg.postmasterPid() > 0) {
            pg.stop("fast", 60);
        }
        if (pg.rewind(leader, line -> LOG.info("pg_rewind: {}", line))) {
            pg.start(leader, slot, params, 120);
            return "rejoined " + leader.name() + " with pg_rewind: " + why;
        }
        LOG.warn("pg_rewind failed; re-cloning from {}", leader.name());
        pg.wipe();
        pg.basebackup(leader, slot, line -> LOG.info("pg_basebackup: {}", line));
        pg.start(leader, slot, params, 120);
        return "pg_rewind failed, re-cloned from " + leader.name() + " with pg_basebackup: " + why;
    }
}
