package io.meridian.lab.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.console.JsonOutput;
import io.meridian.core.console.MemberLabels;
import io.meridian.core.console.OutputFormat;
import io.meridian.core.console.TextTable;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meridian lab status}: the lab's processes, ports, roles and connection strings. */
@Command(name = "status", description = "Show the lab: etcd endpoints, and per node its ports, processes, role, state and dsn.")
public final class LabStatus implements Callable<Integer> {

    @Mixin
    LabDirOption lab;

    @Option(names = {"-f", "--format"}, defaultValue = "pretty", description = "pretty or json.")
    OutputFormat format;

    @Spec
    CommandSpec spec;

    public record NodeStatus(String name, String region, @JsonProperty("pg_port") int pgPort,
                             @JsonProperty("rest_port") int restPort, @JsonProperty("data_dir") String dataDir,
                             @JsonProperty("agent_pid") long agentPid, @JsonProperty("postgres_pid") long postgresPid,
                             String role, String state, String dsn, String log) {
    }

    public record Report(String cluster, String dir, @JsonProperty("etcd_endpoints") List<String> etcdEndpoints,
                         String leader, List<NodeStatus> nodes, LabState.Wan wan, LabState.Router router,
                         @JsonProperty("dashboard_url") String dashboardUrl, @JsonProperty("etcd_error") String etcdError) {
    }

    @Override
    public Integer call() {
        LabState state = lab.read();
        Report r = collect(state);
        spec.commandLine().getOut().println(format == OutputFormat.json ? JsonOutput.write(r) : render(r));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** Reads etcd when it answers; a lab whose etcd is down still lists its processes. */
    static Report collect(LabState state) {
        Cluster c = null;
        String etcdError = null;
        try (Dcs dcs = state.target().openDcs()) {
            c = dcs.load();
        } catch (DcsException | RuntimeException e) {
            etcdError = e.getMessage();
        }
        Path pgpass = state.path().resolve("pgpass");
        List<NodeStatus> nodes = new ArrayList<>();
        for (LabState.Node n : state.nodes()) {
            Optional<Member> m = c == null ? Optional.empty() : c.member(n.name());
            Cluster cluster = c;
            long agent = LabProcesses.isAlive(n.agentPid()) ? n.agentPid() : -1;
            nodes.add(new NodeStatus(n.name(), n.region(), n.pgPort(), n.restPort(), n.dataDir(), agent,
                    LabProcesses.postmasterPid(Path.of(n.dataDir())),
                    m.map(x -> MemberLabels.role(cluster, x)).orElse(agent > 0 ? "unknown" : "down"),
                    m.map(MemberLabels::state).orElse(agent > 0 ? "unknown" : "agent stopped"),
                    LabPlan.dsn(n.pgPort(), pgpass), n.log()));
        }
        return new Report(state.cluster(), state.dir(), state.etcd().endpoints(),
                c != null && c.hasLeader() ? c.leader().name() : null, nodes, state.wan(), state.router(),
                state.dashboardUrl(), etcdError);
    }

    static String render(Report r) {
        TextTable t = new TextTable(List.of("Node", "Region", "Role", "State", "PG port", "REST port", "Agent pid", "PG pid"),
                Set.of(4, 5, 6, 7));
        for (NodeStatus n : r.nodes()) {
            t.row(List.of(n.name(), n.region(), n.role(), n.state(), Integer.toString(n.pgPort()), Integer.toString(n.restPort()),
                    pid(n.agentPid()), pid(n.postgresPid())));
        }
        StringBuilder out = new StringBuilder(t.render("Lab: " + r.cluster() + " in " + r.dir()));
        out.append("etcd: ").append(String.join(",", r.etcdEndpoints()));
        if (r.etcdError() != null) {
            out.append("  (not answering: ").append(r.etcdError()).append(')');
        }
        out.append('\n');
        for (NodeStatus n : r.nodes()) {
            out.append("psql \"").append(n.dsn()).append("\"   # ").append(n.name()).append('\n');
        }
        if (r.wan() != null) {
            out.append("WAN: ").append(r.wan().rttMillis()).append(" ms round trips, control ").append(r.wan().controlUrl()).append('\n');
        }
        if (r.router() != null) {
            out.append("router: rw \"").append(r.router().rwDsn()).append("\"  ro \"").append(r.router().roDsn()).append("\"\n");
        }
        if (r.dashboardUrl() != null) {
            out.append("dashboard: ").append(r.dashboardUrl()).append('\n');
        }
        return out.toString();
    }

    private static String pid(long pid) {
        return pid > 0 ? Long.toString(pid) : "-";
    }
}
