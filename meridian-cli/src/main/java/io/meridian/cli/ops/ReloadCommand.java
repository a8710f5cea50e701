package io.meridian.cli.ops;

import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.dcs.Dcs;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meridian reload [MEMBER...]}: asks agents to reload their configuration
 * ({@code POST /reload}), every member's by default, as {@code patronictl reload}.
 */
@Command(name = "reload", description = "Reload the configuration of members (default: all) through their agents.")
public final class ReloadCommand extends ClusterVerb {

    @Parameters(arity = "0..*", paramLabel = "MEMBER", description = "The members (default: all).")
    List<String> members;

    @Option(names = "--force", description = "Do not ask for confirmation.")
    boolean force;

    @Override
    int run(ClusterTarget target, Dcs dcs) {
        Cluster c = requireInitialized(target, load(target, dcs));
        List<Member> chosen = members == null || members.isEmpty() ? MemberTable.ordered(c)
                : members.stream().map(n -> c.member(n).orElseThrow(() -> new CliException("no member named '" + n
                        + "' is alive"))).toList();
        Confirm.ask(force, "Reload the configuration of " + String.join(", ", chosen.stream().map(Member::name).toList()) + "?");
        int failed = 0;
        for (Member m : chosen) {
            try {
                if (m.apiUrl() == null || m.apiUrl().isBlank()) {
                    throw new CliException("has not published its REST API address");
                }
                AgentClient.Reply r = new AgentClient(m.apiUrl(), target.restUser(), target.restPassword(), target.restTls())
                        .post("/reload", "{}", Duration.ofSeconds(30));
                out().println(m.name() + ": " + AgentClient.said(r));
            } catch (CliException e) {
                out().println(m.name() + ": failed: " + e.getMessage());
                failed++;
            }
        }
        out().flush();
        if (failed > 0) {
            throw new CliException("reload failed on " + failed + " of " + chosen.size() + " member(s)");
        }
        return 0;
    }
}
