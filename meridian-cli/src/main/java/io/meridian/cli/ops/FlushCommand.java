package io.meridian.cli.ops;

import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.dcs.Dcs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meridian flush switchover|restart [MEMBER...]}: cancels what is pending, as
 * {@code patronictl flush}. A switchover is withdrawn through the leader's agent
 * ({@code DELETE /switchover}), else by deleting {@code /failover} in etcd by compare-and-set; a
 * scheduled restart through each member's agent ({@code DELETE /restart}, Patroni's call).
 */
@Command(name = "flush", description = "Cancel a pending switchover, or the scheduled restarts of members.")
public final class FlushCommand extends ClusterVerb {

    @Parameters(index = "0", paramLabel = "WHAT", description = "switchover or restart.")
    String what;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "MEMBER", description = "For restart: the members (default: all).")
    List<String> members;

    @Option(names = "--scheduled", description = "Only a scheduled switchover, never one already under way.")
    boolean scheduledOnly;

    @Option(names = "--force", description = "Do not ask for confirmation.")
    boolean force;

    @Override
    void validate() {
        if (!what.equals("switchover") && !what.equals("restart")) {
            throw new CliException("expected 'switchover' or 'restart' to flush, got \"" + what + "\"");
        }
        if (what.equals("switchover") && members != null && !members.isEmpty()) {
            throw new CliException("flush switchover takes no member names");
        }
    }

    @Override
    int run(ClusterTarget target, Dcs dcs) throws Exception {
        Cluster c = requireInitialized(target, load(target, dcs));
        return what.equals("switchover") ? switchover(target, dcs, c) : restarts(target, c);
    }

    private int switchover(ClusterTarget target, Dcs dcs, Cluster c) throws Exception {
        SwitchoverRequest s = c.switchover();
        if (s == null) {
            out().println("No switchover or failover is pending in cluster '" + c.name() + "'.");
            out().flush();
            return 0;
        }
        if (scheduledOnly && s.scheduledAt() <= 0) {
            throw new CliException("the pending " + SwitchoverCommand.pending(dcs) + " is not scheduled: it is under way;"
                    + " without --scheduled it is withdrawn anyway");
        }
        Confirm.ask(force, "Cancel the pending " + SwitchoverCommand.pending(dcs) + "?");
        Optional<AgentClient.Reply> reply = Optional.empty();
        String api = c.leaderMember().map(Member::apiUrl).orElse(null);
        if (api != null && target.hasRestCredentials()) {
            try {
                reply = Optional.of(new AgentClient(api, target.restUser(), target.restPassword(), target.restTls())
                        .delete("/switchover", Duration.ofSeconds(10)));
            } catch (CliException unreachable) {
                reply = Optional.empty();
            }
        }
        if (reply.isPresent() && reply.get().status() / 100 == 2) {
            out().println("Agent: " + AgentClient.said(reply.get()));
        } else {
            dcs.clearSwitchover(c.switchoverVersion());
            out().println("Pending switchover removed from etcd"
                    + (s.scheduledAt() > 0 ? " (was scheduled at " + Instant.ofEpochMilli(s.scheduledAt()) + ")" : "") + ".");
        }
        out().flush();
        return 0;
    }

    private int restarts(ClusterTarget target, Cluster c) {
        List<Member> chosen = members == null || members.isEmpty() ? MemberTable.ordered(c)
                : members.stream().map(n -> c.member(n).orElseThrow(() -> new CliException("no member named '" + n
                        + "' is alive"))).toList();
        Confirm.ask(force, "Cancel the scheduled restart of " + String.join(", ", chosen.stream().map(Member::name).toList()) + "?");
        int failed = 0;
        for (Member m : chosen) {
            if (m.apiUrl() == null || m.apiUrl().isBlank()) {
                out().println(m.name() + ": has not published its REST API address");
                failed++;
                continue;
            }
            AgentClient.Reply r = new AgentClient(m.apiUrl(), target.restUser(), target.restPassword(), target.restTls())
                    .delete("/restart", Duration.ofSeconds(10));
            out().println(m.name() + ": " + restartAnswer(r));
            // Nothing scheduled, or an agent that cannot schedule: nothing left to cancel either way.
            if (r.status() / 100 != 2 && r.status() != 404 && r.status() != 405) {
                failed++;
            }
        }
        out().flush();
        if (failed > 0) {
            throw new CliException("could not cancel the scheduled restart of " + failed + " member(s)");
        }
        return 0;
    }

    /**
     * Patroni's {@code DELETE /restart} answers 200 when it cancelled one and 404 when none was
     * scheduled; an agent that predates scheduled restarts answers 405 (or 404 naming no restart).
     */
    static String restartAnswer(AgentClient.Reply r) {
        if (r.status() / 100 == 2) {
            return "scheduled restart cancelled (" + AgentClient.said(r) + ")";
        }
        if (r.status() == 405 || (r.status() == 404 && AgentClient.said(r).startsWith("no such endpoint"))) {
            return "this agent has no scheduled restarts to cancel (it does not support them: HTTP " + r.status()
                    + " on DELETE /restart)";
        }
        if (r.status() == 404) {
            return "no restart is scheduled (" + AgentClient.said(r) + ")";
        }
        return "HTTP " + r.status() + ": " + AgentClient.said(r);
    }
}
