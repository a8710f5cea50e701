package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.dcs.Dcs;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meridian switchover}: a planned leader change. Refused at once, with the reason, when the
 * candidate could not take over; otherwise the request is written to {@code /failover} by
 * compare-and-set (so two operators cannot race) and the command waits for the new leader.
 */
@Command(name = "switchover", description = "Move the leader to another member (planned, no data loss).")
public final class SwitchoverCommand extends ClusterVerb {

    @Option(names = {"--leader", "--primary"}, description = "The current leader (checked, as a guard).")
    String leader;

    @Option(names = "--candidate", description = "The member to promote (default: the best eligible one).")
    String candidate;

    @Option(names = "--scheduled", description = "When: ISO-8601 time, e.g. 2026-05-01T03:00:00Z (default: now).")
    String scheduled;

    @Option(names = "--force", description = "Do not ask for confirmation.")
    boolean force;

    @Option(names = "--timeout", defaultValue = "60", description = "Seconds to wait for the new leader (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    void validate() {
        if (timeoutSeconds <= 0) {
            throw new CliException("--timeout: expected a positive number of seconds, got " + timeoutSeconds);
        }
        parseScheduled(scheduled, Instant.now());
    }

    @Override
    int run(ClusterTarget target, Dcs dcs) throws Exception {
        Cluster c = requireInitialized(target, load(target, dcs));
        if (!c.hasLeader()) {
            throw new CliException("cluster '" + c.name() + "' has no leader: use 'meridian failover --candidate NODE'");
        }
        String current = c.leader().name();
        if (leader != null && !leader.equals(current)) {
            throw new CliException("the leader is " + current + ", not " + leader);
        }
        String chosen = chooseCandidate(c, candidate);
        long at = parseScheduled(scheduled, Instant.now());
        Confirm.ask(force, "Switch the leader from " + current + " to " + chosen
                + (at > 0 ? " at " + Instant.ofEpochMilli(at) : " now") + "?");
        SwitchoverRequest req = new SwitchoverRequest(current, candidate == null ? null : chosen, at,
                System.currentTimeMillis());
        String leaderApi = c.leaderMember().map(m -> m.apiUrl()).orElse(null);
        Cluster after = LeaderChangeRequest.submit(target, dcs, c, leaderApi, req, false, candidate,
                Duration.ofSeconds(timeoutSeconds), out());
        if (after == null) {
            out().println("Switchover from " + current + " to " + chosen + " scheduled at " + Instant.ofEpochMilli(at));
        } else {
            out().println("New leader: " + after.leader().name() + " (timeline "
                    + after.leaderMember().map(Member::timeline).orElse(0L) + ")");
        }
        out().flush();
        return 0;
    }

    /** The named candidate if it may take over, else the most advanced eligible member. */
    static String chooseCandidate(Cluster c, String name) {
        if (name != null) {
            Optional<String> why = SwitchoverCheck.refusal(c, name);
            if (why.isPresent()) {
                throw new CliException("switchover refused: " + why.get());
            }
            return name;
        }
        List<Member> ok = SwitchoverCheck.eligible(c);
        if (ok.isEmpty()) {
            StringBuilder why = new StringBuilder("switchover refused: no member can take over");
            c.members().stream().filter(m -> !c.isLeader(m.name()))
                    .forEach(m -> why.append("; ").append(SwitchoverCheck.refusal(c, m.name()).orElse("")));
            throw new CliException(why.toString());
        }
        return ok.get(0).name();
    }

    /** Epoch millis, or 0 for "now". An offset-less time is read in the local zone. */
    static long parseScheduled(String text, Instant now) {
        if (text == null || text.isBlank() || text.equalsIgnoreCase("now")) {
            return 0;
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                at = LocalDateTime.parse(text).atZone(ZoneId.systemDefault()).toInstant();
            } catch (DateTimeParseException e2) {
                throw new CliException("--scheduled: expected an ISO-8601 time like 2026-05-01T03:00:00Z, got \"" + text + "\"");
            }
        }
        if (!at.isAfter(now)) {
            throw new CliException("--scheduled: " + text + " is in the past");
        }
        return at.toEpochMilli();
    }

    static String pending(Dcs dcs) {
        try {
            SwitchoverRequest s = dcs.load().switchover();
            return s == null ? "(it has just gone; try again)"
                    : (s.isFailover() ? "failover" : "switchover from " + s.leader()) + " to "
                    + (s.candidate() == null ? "the best candidate" : s.candidate())
                    + (s.scheduledAt() > 0 ? " at " + Instant.ofEpochMilli(s.scheduledAt()) : "");
        } catch (io.meridian.core.dcs.DcsException e) {
            return "(cannot read it: " + e.getMessage() + ")";
        }
    }
}
