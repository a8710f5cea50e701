package io.meridian.core.failover;

/**
 * "May this member be promoted?", answered once for the agent's race, the leader's switchover
 * check, the REST API and the CLI, so that none of them proposes a node another would refuse.
 * Data safety only: preference among the eligible is {@link FailoverCandidates#rank}.
 *
 * <p>The checks run in a fixed order and the first that fails is the answer; lag comes last, so a
 * caller that may ignore it (a switchover's named candidate: the old leader stops cleanly and ships
 * everything first) sees every other refusal still.
 */
public final class PromotionRule {

    private PromotionRule() {
    }

    /** Whether {@code maximum_lag_on_failover} applies. */
    public enum Lag {
        CHECKED,
        /** A planned switchover's named candidate: the old leader ships all its WAL before it stops. */
        IGNORED
    }

    /** Why a member may not be promoted; callers phrase it for their audience, {@link #text} is the agent's. */
    public enum Reason {
        UNREACHABLE, NOT_RUNNING, NOT_STANDBY, NOFAILOVER, PRIORITY_ZERO, OTHER_TIMELINE, NOT_STREAMING,
        NOT_IN_SYNC_SET, TOO_FAR_BEHIND
    }

    /**
     * @param reason what failed
     * @param text   the reason in the HA log's words, with its figures
     * @param lag    bytes behind the leader's position (for {@link Reason#TOO_FAR_BEHIND})
     */
    public record Refusal(Reason reason, String text, long lag) {
    }

    /** Why {@code c} may not be promoted, or null when it may. */
    public static String refusal(Candidate c, FailoverContext ctx) {
        return refusal(c, ctx, Lag.CHECKED);
    }

    /** Why {@code c} may not be promoted, or null when it may. */
    public static String refusal(Candidate c, FailoverContext ctx, Lag lag) {
        Refusal r = check(c, ctx, lag);
        return r == null ? null : r.text();
    }

    /** The first rule {@code c} breaks, or null when it may be promoted. */
    public static Refusal check(Candidate c, FailoverContext ctx, Lag lagRule) {
        if (!c.reachable()) {
            return new Refusal(Reason.UNREACHABLE, "its agent did not answer", 0);
        }
        if (!c.running()) {
            return new Refusal(Reason.NOT_RUNNING, "PostgreSQL is not running", 0);
        }
        if (!c.inRecovery()) {
            return new Refusal(Reason.NOT_STANDBY, "it is not a standby", 0);
        }
        if (c.tags().noFailover()) {
            return new Refusal(Reason.NOFAILOVER, "tagged nofailover", 0);
        }
        if (!c.tags().promotable()) {
            return new Refusal(Reason.PRIORITY_ZERO, "failover_priority is 0", 0);
        }
        if (c.timeline() != ctx.timeline()) {
            return new Refusal(Reason.OTHER_TIMELINE, "on timeline " + c.timeline() + ", the cluster is on "
                    + ctx.timeline(), 0);
        }
        if (!c.replicating()) {
            return new Refusal(Reason.NOT_STREAMING, "it was not streaming from the leader", 0);
        }
        if (ctx.syncMembers() != null && !ctx.syncMembers().contains(c.name())) {
            return new Refusal(Reason.NOT_IN_SYNC_SET, "not in the synchronous set " + ctx.syncMembers(), 0);
        }
        long lag = ctx.leaderLsn().bytesAfter(c.lsn());
        if (lagRule == Lag.CHECKED && lag > ctx.maximumLagOnFailover()) {
            return new Refusal(Reason.TOO_FAR_BEHIND, lag + " bytes behind the last leader position "
                    + "(maximum_lag_on_failover " + ctx.maximumLagOnFailover() + ")", lag);
        }
        return null;
    }
}
