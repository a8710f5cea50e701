package io.meridian.cli.ops;

import io.meridian.core.console.ClusterTarget;
import io.meridian.core.dcs.Dcs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meridian resume}: leave maintenance mode; automatic failover is back on. */
@Command(name = "resume", description = "Leave maintenance mode: automatic failover is back on.")
public final class ResumeCommand extends ClusterVerb {

    @Option(names = "--wait", description = "Wait until every agent has seen the change.")
    boolean await;

    @Override
    int run(ClusterTarget target, Dcs dcs) throws Exception {
        return PausedFlag.set(target, dcs, false, await, out());
    }
}
