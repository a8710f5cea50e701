package io.meridian.dist;

import io.meridian.agent.AgentCommand;
import io.meridian.cli.MeridianCli;
import io.meridian.router.RouterCommand;

/** The {@code meridian} executable: operator verbs, the lab, and the agent and router daemons. */
public final class Meridian {

    private Meridian() {
    }

    public static void main(String[] args) {
        // MeridianCli.commandLine makes every operator error one line and exit 1.
        System.exit(MeridianCli.commandLine(new AgentCommand(), new RouterCommand()).execute(args));
    }
}
