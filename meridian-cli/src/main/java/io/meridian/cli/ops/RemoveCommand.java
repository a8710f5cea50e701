package io.meridian.cli.ops;

import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.dcs.Dcs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code meridian remove CLUSTER}: deletes every key of a cluster from etcd, as
 * {@code patronictl remove}, once the operator typed the cluster's name and then
 * {@code Yes I am aware}. Refused while any agent still runs (its member key, bound to its lease,
 * is still there) or a leader key remains: agents would write the keys again, and a running
 * leader would lose its lease under a live primary.
 */
@Command(name = "remove", description = "Delete all of a cluster's keys from etcd (asks for the name, then 'Yes I am aware').")
public final class RemoveCommand extends ClusterVerb {

    static final String AWARE = "Yes I am aware";

    @Parameters(index = "0", paramLabel = "CLUSTER", description = "The cluster to remove (must match the node file's, if any).")
    String name;

    @Override
    void validate() {
        clusterOptions.defaultCluster(name);
    }

    @Override
    int run(ClusterTarget target, Dcs dcs) throws Exception {
        if (!name.equals(target.cluster())) {
            throw new CliException(target.source() + " names cluster '" + target.cluster() + "', not '" + name + "'");
        }
        Cluster c = load(target, dcs);
        if (c.systemId() == null && c.members().isEmpty() && !c.hasLeader() && c.switchover() == null
                && c.configVersion() == 0 && c.history().isEmpty()) {
            throw new CliException("cluster '" + name + "' has no keys in etcd " + String.join(",", target.endpoints())
                    + " under " + target.namespace());
        }
        if (!c.members().isEmpty()) {
            throw new CliException("refused: agents of cluster '" + name + "' still run ("
                    + String.join(", ", c.members().stream().map(Member::name).toList())
                    + "); stop them first (their member keys vanish with their leases)");
        }
        if (c.hasLeader()) {
            throw new CliException("refused: cluster '" + name + "' still has a leader key (" + c.leader().name()
                    + "); wait for its lease to expire");
        }
        String typedName = Confirm.typed("Please confirm the cluster name to remove: ", out());
        if (!name.equals(typedName)) {
            throw new CliException("aborted: the name typed is not '" + name + "'");
        }
        String aware = Confirm.typed("You are about to remove all information in etcd for cluster '" + name
                + "'; please type \"" + AWARE + "\": ", out());
        if (!AWARE.equals(aware)) {
            throw new CliException("aborted: you did not type \"" + AWARE + "\"");
        }
        dcs.deleteCluster();
        out().println("Removed cluster '" + name + "' from etcd.");
        out().flush();
        return 0;
    }
}
