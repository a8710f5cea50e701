package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.dcs.Dcs;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meridian failover --candidate NODE}: promote a named member, also when there is no leader
 * (the case a switchover cannot handle). The candidate must still be healthy and within
 * {@code maximum_lag_on_failover} of the last known leader position.
 */
@Command(name = "failover", description = "Promote a named member, with or without a healthy leader.")
public final class FailoverCommand extends ClusterVerb {

    @Option(names = "--candidate", required = true, description = "The member to promote.")
    String candidate;

    @Option(names = "--force", description = "Do not ask for confirmation.")
    boolean force;

    @Option(names = "--timeout", defaultValue = "60", description = "Seconds to wait for the new leader (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    void validate() {
        if (timeoutSeconds <= 0) {
            throw new CliException("--timeout: expected a positive number of seconds, got " + timeoutSeconds);
        }
    }

    @Override
    int run(ClusterTarget target, Dcs dcs) throws Exception {
        Cluster c = requireInitialized(target, load(target, dcs));
        SwitchoverCheck.refusal(c, candidate).ifPresent(why -> {
            throw new CliException("failover refused: " + why);
        });
        Confirm.ask(force, "Fail over to " + candidate + (c.hasLeader() ? " (the leader " + c.leader().name()
                + " will be demoted)" : "") + "?");
        // With a leader, it runs the handover; without one, the candidate's own agent takes the request.
        String api = c.leaderMember().or(() -> c.member(candidate)).map(Member::apiUrl).orElse(null);
        Cluster after = LeaderChangeRequest.submit(target, dcs, c, api,
                new SwitchoverRequest(null, candidate, 0, System.currentTimeMillis()), true, candidate,
                Duration.ofSeconds(timeoutSeconds), out());
        out().println("New leader: " + candidate + " (timeline " + after.leaderMember().map(Member::timeline).orElse(0L) + ")");
        out().flush();
        return 0;
    }
}
