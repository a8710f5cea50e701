package io.meridian.cli.lab;

import picocli.CommandLine.Command;

/** {@code meridian lab}: a whole multi-region cluster on this machine, for trying and drilling. */
@Command(name = "lab", description = "Run a local multi-region cluster: etcd, PostgreSQL nodes and their agents.",
        subcommands = {LabUp.class, LabStatus.class, LabKill.class, LabStart.class, LabDown.class,
                LabPartition.class, LabHeal.class, WanDaemon.class})
public final class LabCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Without a subcommand there is nothing to do: say so in one line, like any other error. */
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

}
