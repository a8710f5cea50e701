package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.dcs.Dcs;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A REST action on one member's agent ({@code restart}, {@code reinit}): find its API, POST, report. */
abstract class NodeAction extends ClusterVerb {

    @Parameters(index = "0", paramLabel = "NODE", description = "The member to act on.")
    String node;

    @Option(names = "--force", description = "Do not ask for confirmation.")
    boolean force;

    abstract String path();

    abstract String verb();

    /** Refuses an action that makes no sense on this member; none by default. */
    void check(Cluster c, Member m) {
    }

    String body() {
        return "{}";
    }

    @Override
    int run(ClusterTarget target, Dcs dcs) {
        Cluster c = requireInitialized(target, load(target, dcs));
        Member m = c.member(node).orElseThrow(() -> new CliException("no member named '" + node + "' is alive (members: "
                + String.join(", ", c.members().stream().map(Member::name).toList()) + ")"));
        if (m.apiUrl() == null || m.apiUrl().isBlank()) {
            throw new CliException(node + " has not published its REST API address");
        }
        check(c, m);
        Confirm.ask(force, verb() + " " + node + "?");
        AgentClient.Reply r = new AgentClient(m.apiUrl(), target.restUser(), target.restPassword(), target.restTls())
                .post(path(), body(), Duration.ofSeconds(120));
        out().println(node + ": " + AgentClient.said(r));
        out().flush();
        return 0;
    }
}
