package io.meridian.cli.ops;

import io.meridian.core.console.ClusterTarget;
import io.meridian.core.dcs.Dcs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meridian pause}: maintenance mode; the agents take no automatic action until resumed. */
@Command(name = "pause", description = "Maintenance mode: agents stop taking automatic actions.")
public final class PauseCommand extends ClusterVerb {

    @Option(names = "--wait", description = "Wait until every agent has seen the change.")
    boolean await;

    @Override
    int run(ClusterTarget target, Dcs dcs) throws Exception {
        return PausedFlag.set(target, dcs, true, await, out());
    }
}
