package io.meridian.lab.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meridian lab down}: stops what {@code lab up} started, by recorded process id only: the
 * agents, then any PostgreSQL still up (fast shutdown with pg_ctl, as the postgres user), then
 * the WAN emulator and etcd; then removes the folder.
 */
@Command(name = "down", description = "Stop the lab's agents, PostgreSQL, etcd and WAN emulator, and remove its folder.")
public final class LabDown implements Callable<Integer> {

    @Option(names = "--dir", description = "Lab folder (default: $MERIDIAN_LAB_DIR or /tmp/meridian-lab).")
    Path dir;

    @Option(names = "--keep", description = "Keep the folder (logs, data) after stopping.")
    boolean keep;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path labDir = dir == null ? LabState.defaultDir() : dir.toAbsolutePath();
        if (!Files.exists(LabState.file(labDir))) {
            out.println("No lab in " + labDir + ".");
            out.flush();
            return 0;
        }
        stopAll(LabState.read(labDir), out);
        if (keep) {
            out.println("Lab stopped; files kept in " + labDir);
        } else {
            LabFolder.remove(labDir);
            out.println("Lab removed: " + labDir);
        }
        out.flush();
        return 0;
    }

    /** Stops every process of the lab, each by its recorded id; leaves the files. */
    static void stopAll(LabState state, PrintWriter out) {
        // Agents first: a live agent would restart the PostgreSQL we are about to stop.
        for (LabState.Node n : state.nodes()) {
            if (LabProcesses.isAlive(n.agentPid())) {
                LabProcesses.stop(n.agentPid(), 15);
                out.println("Stopped the agent of " + n.name());
                out.flush();
            }
        }
        for (LabState.Node n : state.nodes()) {
            stopPostgres(n, out);
        }
        if (state.router() != null && LabProcesses.isAlive(state.router().pid())) {
            LabProcesses.stop(state.router().pid(), 10);
            out.println("Stopped the router");
        }
        for (LabState.EtcdMember m : state.etcd().members()) {
            if (LabProcesses.isAlive(m.pid())) {
                LabProcesses.stop(m.pid(), 10);
                out.println("Stopped etcd " + m.name());
                out.flush();
            }
        }
        if (state.wan() != null && LabProcesses.isAlive(state.wan().pid())) {
            LabProcesses.stop(state.wan().pid(), 5);
            out.println("Stopped the WAN emulator");
        }
        out.flush();
    }

    /** pg_ctl stop -m fast as the postgres user; SIGKILL if it is still up afterwards. */
    private static void stopPostgres(LabState.Node n, PrintWriter out) {
        Path data = Path.of(n.dataDir());
        long pm = LabProcesses.postmasterPid(data);
        if (pm < 0) {
            return;
        }
        NodeBin bin = NodeBin.of(n);
        int rc = LabProcesses.run(LabProcesses.asUser("postgres",
                List.of(bin.pgCtl().toString(), "stop", "-D", data.toString(), "-m", "fast", "-w", "-t", "30")),
                Path.of(n.log()), 40);
        if (rc != 0 && LabProcesses.isAlive(pm)) {
            LabProcesses.kill(pm);
            out.println("Killed PostgreSQL of " + n.name() + " (pg_ctl stop exited with " + rc + ")");
        } else {
            out.println("Stopped PostgreSQL of " + n.name());
        }
        out.flush();
    }
}
