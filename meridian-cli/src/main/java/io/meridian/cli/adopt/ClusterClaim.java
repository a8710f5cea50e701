package io.meridian.cli.adopt;

import io.meridian.core.console.CliException;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.core.postgres.PgState;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the keys that make a running primary the leader-to-be of a Meridian cluster, as if its
 * agent had bootstrapped it: {@code /initialize} holds the running system identifier (so no agent
 * ever runs initdb for this cluster, and one on another cluster's data refuses to act),
 * {@code /config} the node file's {@code bootstrap.dcs}, and {@code /history} names this node the
 * last leader on its current timeline. That last record is what lets the node's agent, finding a
 * primary without a leader key, take the key instead of demoting it ("I was the last leader").
 */
final class ClusterClaim {

    private ClusterClaim() {
    }

    /** Claims the cluster for {@code node}'s running primary; returns what was written, one line each. */
    static List<String> forPrimary(NodeConfig node, PgState primary) {
        if (!primary.running() || primary.inRecovery() || primary.systemId() == null) {
            throw new CliException(node.postgresql().dataDir() + ": expected a running primary, got "
                    + (primary.running() ? "a standby" : "no answer from PostgreSQL at " + node.postgresql().listen()));
        }
        List<String> done = new ArrayList<>();
        try (EtcdDcs dcs = connect(node)) {
            Cluster c = dcs.load();
            if (c.systemId() == null) {
                dcs.setSystemId(primary.systemId());
                done.add("wrote " + key(node, "initialize") + " = " + primary.systemId() + " (the running system identifier)");
            } else if (!primary.systemId().equals(c.systemId())) {
                throw new CliException("cluster " + node.cluster() + " in etcd has system identifier " + c.systemId()
                        + " but " + node.postgresql().dataDir() + " has " + primary.systemId() + "; choose another cluster name");
            }
            if (c.configVersion() == 0) {
                dcs.setConfig(node.bootstrap(), 0);
                done.add("wrote " + key(node, "config") + " from the node file's bootstrap.dcs");
            }
            TimelineEvent last = c.history().isEmpty() ? null : c.history().get(c.history().size() - 1);
            if (last == null) {
                dcs.appendHistory(new TimelineEvent(primary.timeline(), primary.writeLsn(), "adopted",
                        System.currentTimeMillis(), node.name(), null, node.region()));
                done.add("wrote " + key(node, "history") + ": " + node.name() + " leads on timeline " + primary.timeline()
                        + " since " + primary.writeLsn());
            } else if (!node.name().equals(last.newLeader())) {
                throw new CliException("cluster " + node.cluster() + "'s history names " + last.newLeader()
                        + " as its leader, not " + node.name() + "; adopt this node as a standby");
            }
        } catch (DcsException e) {
            throw new CliException("etcd " + node.etcd().endpoints() + ": " + e.getMessage(), e);
        }
        return done;
    }

    /** A standby joins a cluster its leader's adoption created; anything else is refused before the agent starts. */
    static void checkStandby(NodeConfig node, PgState standby) {
        try (EtcdDcs dcs = connect(node)) {
            Cluster c = dcs.load();
            if (!c.isInitialized()) {
                throw new CliException("cluster " + node.cluster() + " has no " + key(node, "initialize")
                        + " yet: adopt the primary's node first");
            }
            if (standby.systemId() != null && !standby.systemId().equals(c.systemId())) {
                throw new CliException(node.postgresql().dataDir() + " has system identifier " + standby.systemId()
                        + " but cluster " + node.cluster() + " is " + c.systemId());
            }
        } catch (DcsException e) {
            throw new CliException("etcd " + node.etcd().endpoints() + ": " + e.getMessage(), e);
        }
    }

    private static EtcdDcs connect(NodeConfig node) {
        return EtcdDcs.connect(node.etcd().endpoints(), node.etcd().namespace(), node.cluster(), null,
                node.bootstrap().ttl(), Math.max(2, node.bootstrap().retryTimeout()), node.etcd().tls());
    }

    private static String key(NodeConfig node, String name) {
        return node.etcd().namespace() + "/" + node.cluster() + "/" + name;
    }
}
