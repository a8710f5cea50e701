package io.meridian.lab.cli;

import picocli.CommandLine;
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

    /**
     * {@code meridian lab} alone, for a drill that heals or restarts what it broke in-process: a
     * failed verb ends in one line on stderr and exit 1, as under the full command, without the
     * lab depending on the CLI that registers it.
     */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new LabCommand());
        cmd.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("meridian: " + ex.getMessage());
            return 1;
        });
        cmd.setExecutionExceptionHandler((ex, line, parse) -> {
            line.getErr().println("meridian: " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()));
            return 1;
        });
        return cmd;
    }
}
