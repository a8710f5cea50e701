package io.meridian.agent;

import io.meridian.core.cluster.LostTransactions;
import io.meridian.core.cluster.Member;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.postgres.PostgresController;
import io.meridian.core.postgres.PostgresException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node whose timeline left the leader's comes back through pg_rewind: never by starting on a
 * forked history. What it committed past the fork is saved and recorded first (see
 * {@link LostTransactions}): those commits were acknowledged and pg_rewind discards them.
 *
 * <p>When pg_rewind fails the data directory is kept and PostgreSQL stays stopped, with the reason
 * in every HA line, until the operator reinitializes the node; only
 * {@code postgresql.remove_data_directory_on_rewind_failure} lets the agent wipe it and re-clone.
 */
final class Rejoin {

    private static final Logger LOG = LoggerFactory.getLogger(Rejoin.class);

    private Rejoin() {
    }

    static String run(Dcs dcs, NodeConfig node, long heartbeatMillis, PostgresController pg, Member leader, String slot,
                      Map<String, String> params, String why) throws PostgresException, DcsException {
        String kept = pg.rewindFailure();
        if (kept != null && !node.postgresql().removeDataDirectoryOnRewindFailure()) {
            return kept; // nothing retried until the operator acts: a failed rewind fails again
        }
        return MembershipKeeper.during(dcs, () -> Bootstrap.placeholder(node, "rejoining"), heartbeatMillis,
                () -> rejoin(dcs, node, pg, leader, slot, params, why));
    }

    /** The sentence for a node whose data directory a failed rewind left unusable, or null. */
    static String keptAfterFailedRewind(NodeConfig node, PostgresController pg) {
        return node.postgresql().removeDataDirectoryOnRewindFailure() ? null : pg.rewindFailure();
    }

    private static String rejoin(Dcs dcs, NodeConfig node, PostgresController pg, Member leader, String slot,
                                 Map<String, String> params, String why) throws PostgresException {
        if (pg.postmasterPid() > 0) {
            pg.stop("fast", 60);
        }
        String lost = saveLost(dcs, pg, leader);
        if (pg.rewind(leader, line -> LOG.info("pg_rewind: {}", line))) {
            pg.start(leader, slot, params, 120);
            return "rejoined " + leader.name() + " with pg_rewind: " + why + lost;
        }
        if (!node.postgresql().removeDataDirectoryOnRewindFailure()) {
            return pg.rewindFailure() + lost;
        }
        LOG.warn("pg_rewind failed; re-cloning from {} (remove_data_directory_on_rewind_failure)", leader.name());
        pg.wipe();
        pg.basebackup(leader, slot, line -> LOG.info("pg_basebackup: {}", line));
        pg.start(leader, slot, params, 120);
        return "pg_rewind failed, re-cloned from " + leader.name() + " with pg_basebackup"
                + " (remove_data_directory_on_rewind_failure): " + why + lost;
    }

    /**
     * Saves and records what pg_rewind is about to discard; the clause for the HA line. Neither a
     * failed save nor a failed record stops the rejoin: the node would otherwise stay out of the
     * cluster for want of disk space or of etcd, and the line says what is missing.
     */
    private static String saveLost(Dcs dcs, PostgresController pg, Member leader) {
        LostTransactions lost;
        try {
            lost = pg.saveDivergentWal(leader);
        } catch (PostgresException e) {
            LOG.error("could not save the WAL past the fork before pg_rewind: {}", e.getMessage());
            return "; the WAL past the fork could NOT be saved: " + e.getMessage();
        }
        if (lost == null) {
            return "";
        }
        if (lost.commits() == 0) {
            return "; no commit past the fork at " + lost.fork() + " (nothing lost)";
        }
        String sentence = "; " + lost.describe();
        try {
            dcs.recordLostTransactions(lost);
        } catch (DcsException e) {
            LOG.error("could not record the lost transactions in the cluster history: {}", e.getMessage());
            return sentence + " (NOT recorded in the history: " + e.getMessage() + ")";
        }
        return sentence;
    }
}
