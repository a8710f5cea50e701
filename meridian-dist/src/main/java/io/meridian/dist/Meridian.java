package io.meridian.dist;

import io.meridian.agent.AgentCommand;
import io.meridian.cli.MeridianCli;
import io.meridian.router.RouterCommand;
import picocli.CommandLine;

/** The {@code meridian} executable: operator verbs, the lab, and the agent and router daemons. */
public final class Meridian {

    private Meridian() {
    }

    public static void main(String[] args) {
        CommandLine cmd = new CommandLine(new MeridianCli())
                .addSubcommand(new AgentCommand())
                .addSubcommand(new RouterCommand());
        // One line and a nonzero exit for every error an operator can cause.
        cmd.setExecutionExceptionHandler((ex, line, parse) -> {
            String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            line.getErr().println("meridian: " + msg);
            return 1;
        });
        System.exit(cmd.execute(args));
    }
}
