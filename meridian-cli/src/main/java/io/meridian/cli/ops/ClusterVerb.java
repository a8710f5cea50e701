package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A verb that reads (and maybe changes) one cluster: resolves the target, opens etcd, runs, closes. */
abstract class ClusterVerb implements Callable<Integer> {

    @Mixin
    ClusterOptions clusterOptions;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Override
    public final Integer call() throws Exception {
        validate();
        ClusterTarget target = clusterOptions.resolve();
        try (Dcs dcs = target.openReadFirst()) {
            return run(target, dcs);
        }
    }

    /** Argument checks that need no cluster; throw {@link CliException} to refuse. */
    void validate() {
    }

    abstract int run(ClusterTarget target, Dcs dcs) throws Exception;

    static Cluster load(ClusterTarget target, Dcs dcs) {
        try {
            return dcs.load();
        } catch (DcsException e) {
            throw new CliException("cannot read cluster '" + target.cluster() + "' from etcd "
                    + String.join(",", target.endpoints()) + ": " + e.getMessage(), e);
        }
    }

    static Cluster requireInitialized(ClusterTarget target, Cluster c) {
        if (c.systemId() == null && c.members().isEmpty()) {
            throw new CliException("cluster '" + target.cluster() + "' has no data in etcd "
                    + String.join(",", target.endpoints()) + " under " + target.namespace() + " (wrong --cluster or namespace?)");
        }
        return c;
    }
}
