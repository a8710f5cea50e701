package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Role;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.console.JsonOutput;
import io.meridian.core.dcs.Dcs;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Hands a switchover or failover to the cluster. First through an agent's REST API, which checks
 * the candidate with its freshest status and answers with the outcome or the reason it refused;
 * when no agent answers (or no credentials are known), by writing {@code /failover} in etcd with
 * compare-and-set and watching for the outcome.
 */
final class LeaderChangeRequest {

    private LeaderChangeRequest() {
    }

    /**
     * @param agentUrl  whose REST API to ask (the leader's, or the candidate's when there is none)
     * @param failover  a manual failover rather than a planned switchover
     * @param wanted    the leader we wait for, or null for "anyone but {@code current}"
     * @return the cluster once the new leader runs as primary, or null when scheduled for later
     */
    static Cluster submit(ClusterTarget target, Dcs dcs, Cluster c, String agentUrl, SwitchoverRequest req,
                          boolean failover, String wanted, Duration timeout, PrintWriter out) throws Exception {
        String word = failover ? "failover" : "switchover";
        String current = c.hasLeader() ? c.leader().name() : null;
        Optional<AgentClient.Reply> reply = agentUrl == null ? Optional.empty()
                : new AgentClient(agentUrl, target.restUser(), target.restPassword(), target.restTls())
                        .tryPost(failover ? "/failover" : "/switchover", body(req), timeout.plusSeconds(5));
        if (reply.isPresent()) {
            AgentClient.Reply r = reply.get();
            if (r.status() / 100 != 2) {
                throw new CliException(word + " refused by the agent at " + agentUrl + ": " + AgentClient.said(r));
            }
            out.println("Agent: " + AgentClient.said(r));
            out.flush();
            if (req.scheduledAt() > 0) {
                return null;
            }
        } else {
            if (!dcs.setSwitchover(req, 0)) {
                throw new CliException("another switchover or failover is already pending: " + SwitchoverCommand.pending(dcs));
            }
            out.println((agentUrl == null ? "" : "No agent answered at " + agentUrl + "; ") + word
                    + " request written to etcd");
            out.flush();
            if (req.scheduledAt() > 0) {
                return null;
            }
        }
        return LeaderWait.until(dcs, timeout, x -> {
            boolean done = x.hasLeader() && !x.leader().name().equals(current)
                    && (wanted == null || x.leader().name().equals(wanted))
                    && x.leaderMember().map(m -> m.role() == Role.PRIMARY).orElse(false);
            if (!done && x.switchover() == null && x.hasLeader() && x.leader().name().equals(current)) {
                // The leader withdrew the request without stepping down: it refused, and its log says why.
                throw new CliException(word + " did not happen: " + current + " refused it (see its agent log)");
            }
            return done;
        }, word + (wanted == null ? "" : " to " + wanted), out);
    }

    static String body(SwitchoverRequest req) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (req.leader() != null) {
            m.put("leader", req.leader());
        }
        if (req.candidate() != null) {
            m.put("candidate", req.candidate());
        }
        if (req.scheduledAt() > 0) {
            m.put("scheduled_at", Instant.ofEpochMilli(req.scheduledAt()).toString());
        }
        return JsonOutput.write(m);
    }
}
