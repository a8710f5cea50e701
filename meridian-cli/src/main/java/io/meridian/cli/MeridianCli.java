package io.meridian.cli;

import io.meridian.cli.adopt.AdoptCommand;
import io.meridian.cli.cluster.EditConfigCommand;
import io.meridian.cli.cluster.FailoverCommand;
import io.meridian.cli.cluster.HistoryCommand;
import io.meridian.cli.cluster.LagCommand;
import io.meridian.cli.cluster.ListCommand;
import io.meridian.cli.cluster.PauseCommand;
import io.meridian.cli.cluster.ReinitCommand;
import io.meridian.cli.cluster.RestartCommand;
import io.meridian.cli.cluster.ResumeCommand;
import io.meridian.cli.cluster.ShowConfigCommand;
import io.meridian.cli.cluster.StatusCommand;
import io.meridian.cli.cluster.SwitchoverCommand;
import io.meridian.cli.cluster.TopologyCommand;
import io.meridian.cli.drill.DrillCommand;
import io.meridian.cli.drill.WriteProbeCommand;
import io.meridian.cli.lab.LabCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root of the operator command; subcommands are registered here and by the launcher. */
@Command(name = "meridian", mixinStandardHelpOptions = true, version = "meridian 0.1.0",
        description = "Region-aware high availability and geo-replication for PostgreSQL.",
        subcommands = {ListCommand.class, TopologyCommand.class, StatusCommand.class, LagCommand.class,
                SwitchoverCommand.class, FailoverCommand.class, PauseCommand.class, ResumeCommand.class,
                RestartCommand.class, ReinitCommand.class, ShowConfigCommand.class, EditConfigCommand.class,
                HistoryCommand.class, LabCommand.class,
                WriteProbeCommand.class, DrillCommand.class, AdoptCommand.class, io.meridian.cli.plan.PlanCommand.class})
public final class MeridianCli implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Without a subcommand there is nothing to do: say so in one line, like any other error. */
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command");
    }


    /**
     * The command line with Meridian's error contract: any error an operator can cause, whether
     * a bad argument or a failed action, is one line {@code meridian: ...} on stderr and exit 1.
     */
    public static CommandLine commandLine(Object... extraSubcommands) {
        CommandLine cmd = new CommandLine(new MeridianCli());
        for (Object sub : extraSubcommands) {
            cmd.addSubcommand(sub);
        }
        // Every command, however deep, answers --help and --version, as its error messages promise.
        addHelp(cmd);
        cmd.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("meridian: " + ex.getMessage()
                    + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 1;
        });
        cmd.setExecutionExceptionHandler((ex, line, parse) -> {
            String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            line.getErr().println("meridian: " + msg);
            return 1;
        });
        return cmd;
    }

    private static void addHelp(CommandLine cmd) {
        cmd.getCommandSpec().mixinStandardHelpOptions(true);
        cmd.getSubcommands().values().forEach(MeridianCli::addHelp);
    }
}
