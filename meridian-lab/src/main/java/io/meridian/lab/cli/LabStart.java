package io.meridian.lab.cli;

import io.meridian.core.console.CliException;
import io.meridian.core.dcs.Dcs;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meridian lab start NODE}: start a killed node's agent again; it rejoins as a replica. */
@Command(name = "start", description = "Start a stopped node's agent again (it rejoins as a replica).")
public final class LabStart implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NODE", description = "Node name, e.g. paris-1.")
    String node;

    @Mixin
    LabDirOption lab;

    @Option(names = "--no-wait", description = "Return once the agent is started, without waiting for it to stream.")
    boolean noWait;

    @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait for it to rejoin (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        LabState state = lab.read();
        LabState.Node n = state.requireNode(node);
        if (LabProcesses.isAlive(n.agentPid())) {
            throw new CliException("the agent of " + node + " already runs (pid " + n.agentPid() + ")");
        }
        LabState.Node started = LabUp.startAgent(state, n, LabProcesses.meridianCommand(state.path()), out);
        state = state.withNode(started);
        state.write();
        if (noWait) {
            return 0;
        }
        try (Dcs dcs = state.target().openDcs()) {
            new LabWait(dcs, out).until(c -> c.isLeader(node) ? LabWait.hasLeader(c) : LabWait.allStreaming(List.of(node)).test(c),
                    List.of(started), Duration.ofSeconds(timeoutSeconds), node + " rejoining");
        }
        out.println(node + " is back.");
        out.flush();
        return 0;
    }
}
