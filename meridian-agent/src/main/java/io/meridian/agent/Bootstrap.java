package io.meridian.agent;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.postgres.PostgresController;
import io.meridian.core.postgres.PostgresException;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An empty data directory: the first node wins the {@code /initialize} race and runs initdb; the
 * others wait for a leader and clone it through their own slot.
 */
final class Bootstrap {

    private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);

    private Bootstrap() {
    }

    static String run(NodeConfig node, Dcs dcs, PostgresController pg, Cluster c,
                      Function<Cluster, Map<String, String>> params) throws DcsException, PostgresException {
        String kept = Rejoin.keptAfterFailedRewind(node, pg); // not empty: what a failed pg_rewind left
        if (kept != null) {
            return kept;
        }
        boolean ours = Cluster.initializingBy(node.name()).equals(c.systemId());
        if (c.systemId() == null || ours) {
            if (!ours && !dcs.claimInitialize()) {
                return "another node won the bootstrap race; waiting for it";
            }
            try {
                if (c.configVersion() == 0) {
                    dcs.setConfig(node.bootstrap(), 0);
                }
                String systemId = MembershipKeeper.during(dcs, () -> placeholder(node, "bootstrapping"),
                        heartbeat(c), () -> {
                            String id = pg.initdb();
                            pg.start(null, null, node.bootstrap().parameters(), 60);
                            pg.ensureReplicationRole();
                            return id;
                        });
                // History first: the race that follows lets only the last leader take the key back.
                dcs.appendHistory(new TimelineEvent(1, io.meridian.core.cluster.Lsn.ZERO, "bootstrap",
                        System.currentTimeMillis(), node.name(), null, node.region()));
                dcs.setSystemId(systemId);
                return "bootstrapped a new cluster with initdb (system id " + systemId + "); racing for the leader key";
            } catch (PostgresException | DcsException | RuntimeException e) {
                LOG.error("bootstrap failed, giving the initialize key back: {}", e.getMessage());
                try {
                    pg.stop("immediate", 30);
                } catch (PostgresException ignored) {
                    // it may never have started
                }
                pg.wipe();
                dcs.cancelInitialize();
                throw e;
            }
        }
        if (!c.isInitialized()) {
            return "waiting for the node that won the bootstrap race to finish initdb";
        }
        Member leader = c.leaderMember().orElse(null);
        if (leader == null || !leader.isRunning()) {
            return "empty data directory: waiting for a running leader to clone from";
        }
        String slot = PostgresController.slotName(node.name());
        MembershipKeeper.during(dcs, () -> placeholder(node, "cloning"), heartbeat(c), () -> {
            pg.basebackup(leader, slot, line -> LOG.info("pg_basebackup: {}", line));
            pg.start(leader, slot, params.apply(c), 120);
            return null;
        });
        return "cloned " + leader.name() + " with pg_basebackup through slot " + slot + " and started as a standby";
    }

    /** The member record published while PostgreSQL is not up yet. */
    static io.meridian.core.cluster.Member placeholder(NodeConfig node, String state) {
        return new io.meridian.core.cluster.Member(node.name(), node.region(), io.meridian.core.cluster.Role.UNKNOWN,
                state, 0, null, null, null, null, -1, node.postgresql().connectAddress().host(),
                node.postgresql().connectAddress().port(), node.restapi().url(), node.tags(), System.currentTimeMillis());
    }

    static long heartbeat(Cluster c) {
        return Math.max(200, c.config().loopWaitMillis());
    }
}
