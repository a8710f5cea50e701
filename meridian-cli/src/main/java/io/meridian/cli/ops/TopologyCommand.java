package io.meridian.cli.ops;

import io.meridian.core.console.ClusterTarget;
import io.meridian.core.dcs.Dcs;
import picocli.CommandLine.Command;

/** {@code meridian topology}: where every member lives, by region. */
@Command(name = "topology", description = "Show the members as a tree by region, leader first.")
public final class TopologyCommand extends ClusterVerb {

    @Override
    int run(ClusterTarget target, Dcs dcs) {
        out().print(TopologyView.render(requireInitialized(target, load(target, dcs))));
        out().flush();
        return 0;
    }
}
