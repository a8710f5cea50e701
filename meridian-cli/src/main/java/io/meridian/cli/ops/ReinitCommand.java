package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.console.CliException;
import picocli.CommandLine.Command;

/** {@code meridian reinit NODE}: wipe a replica and clone it again from the leader. */
@Command(name = "reinit", description = "Re-clone a replica from the leader (its data directory is wiped).")
public final class ReinitCommand extends NodeAction {

    @Override
    String path() {
        return "/reinitialize";
    }

    @Override
    void check(Cluster c, Member m) {
        if (c.isLeader(m.name())) {
            throw new CliException(m.name() + " is the leader: reinit only re-clones a replica (switch over first)");
        }
    }

    @Override
    String verb() {
        return "Wipe and re-clone";
    }
}
