package io.meridian.cli;

import io.meridian.cli.adopt.AdoptCommand;
import io.meridian.cli.ops.DsnCommand;
import io.meridian.cli.ops.EditConfigCommand;
import io.meridian.cli.ops.FlushCommand;
import io.meridian.cli.ops.FailoverCommand;
import io.meridian.cli.ops.HistoryCommand;
import io.meridian.cli.ops.LagCommand;
import io.meridian.cli.ops.ListCommand;
import io.meridian.cli.ops.PauseCommand;
import io.meridian.cli.ops.QueryCommand;
import io.meridian.cli.ops.ReloadCommand;
import io.meridian.cli.ops.RemoveCommand;
import io.meridian.cli.ops.ReinitCommand;
import io.meridian.cli.ops.RestartCommand;
import io.meridian.cli.ops.ResumeCommand;
import io.meridian.cli.ops.ShowConfigCommand;
import io.meridian.cli.ops.StatusCommand;
import io.meridian.cli.ops.SwitchoverCommand;
import io.meridian.cli.ops.TopologyCommand;
import io.meridian.lab.drill.DrillCommand;
import io.meridian.lab.drill.WriteProbeCommand;
import io.meridian.lab.cli.LabCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The root of the operator command; subcommands are registered here and by the launcher. */
@Command(name = "meridian", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = "Region-aware high availability and geo-replication for PostgreSQL.",
        subcommands = {ListCommand.class, TopologyCommand.class, StatusCommand.class, LagCommand.class,
                SwitchoverCommand.class, FailoverCommand.class, PauseCommand.class, ResumeCommand.class,
                RestartCommand.class, ReinitCommand.class, ShowConfigCommand.class, EditConfigCommand.class,
                HistoryCommand.class, DsnCommand.class, QueryCommand.class, FlushCommand.class, ReloadCommand.class,
                RemoveCommand.class, VersionCommand.class, LabCommand.class,
                WriteProbeCommand.class, DrillCommand.class, AdoptCommand.class,
                io.meridian.cli.plan.PlanCommand.class})
public final class MeridianCli implements Runnable {

    /** {@code meridian -c node.yml list}: the node file for every cluster verb, before the verb as patronictl takes it. */
    @picocli.CommandLine.Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "A node's YAML file for the cluster verbs (also accepted after the verb).")
    java.nio.file.Path config;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Applied by the launcher before any logger exists (see {@link LogFormat}); declared here for checking and help. */
    @Option(names = "--log-format", scope = ScopeType.INHERIT, paramLabel = "text|json",
            description = "Log lines as text (default) or as one JSON object a line. Also MERIDIAN_LOG_FORMAT.")
    LogFormat logFormat = LogFormat.text;

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
        cmd.getCommandSpec().versionProvider(new BuildVersion());
        cmd.getSubcommands().values().forEach(MeridianCli::addHelp);
    }
}
