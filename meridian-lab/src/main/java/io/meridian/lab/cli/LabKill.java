package io.meridian.lab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meridian lab kill NODE}: a crash for drills. SIGKILL the agent first (so it cannot restart
 * PostgreSQL behind our back), then the postmaster; {@code --postgres-only} leaves the agent to
 * notice and recover.
 */
@Command(name = "kill", description = "Crash a node (SIGKILL its agent and postmaster), or only its PostgreSQL.")
public final class LabKill implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NODE", description = "Node name, e.g. paris-1.")
    String node;

    @Option(names = "--postgres-only", description = "Kill only the postmaster; the agent stays up.")
    boolean postgresOnly;

    @Mixin
    LabDirOption lab;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        LabState state = lab.read();
        LabState.Node n = state.requireNode(node);
        if (!postgresOnly) {
            boolean was = LabProcesses.kill(n.agentPid());
            out.println(was ? "Killed the agent of " + node + " (pid " + n.agentPid() + ")" : "The agent of " + node + " was not running");
            state.withNode(n.withAgentPid(-1)).write();
        }
        long pm = LabProcesses.postmasterPid(Path.of(n.dataDir()));
        if (pm > 0) {
            LabProcesses.kill(pm);
            out.println("Killed the postmaster of " + node + " (pid " + pm + ")");
        } else {
            out.println("PostgreSQL of " + node + " was not running");
        }
        out.flush();
        return 0;
    }
}
