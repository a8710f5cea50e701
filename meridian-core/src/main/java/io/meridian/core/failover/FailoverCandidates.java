package io.meridian.core.failover;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may become the new primary, best first. A pure function of the candidates and the context,
 * so every agent that runs it on the same inputs reaches the same answer.
 *
 * <p>Order of the rules — data safety always comes before preference:
 * <ol>
 *   <li>eligible ({@link PromotionRule}): running, in recovery, streaming from the leader until it went missing, on the cluster's
 *       timeline, promotable by its tags, in the sync set when synchronous replication is on, and
 *       no more than {@code maximum_lag_on_failover} behind the lost leader's last position;</li>
 *   <li>among eligible nodes, only those within {@code lag_tolerance} bytes of the most advanced
 *       one are considered (with the default 0, only the most advanced);</li>
 *   <li>then the lost leader's region, then {@code region_priority} order, then
 *       {@code failover_priority} (higher first), then WAL position, then name.</li>
 * </ol>
 * A preferred node that is behind but within tolerance would lose the bytes it lacks if it
 * promoted at once: the agent makes it catch up from the most advanced node first (the agent's CatchUp).
 */
public final class FailoverCandidates {

    private FailoverCandidates() {
    }

    /**
     * @param eligible best first
     * @param refused  name to the reason it may not be promoted
     */
    public record Ranking(List<Candidate> eligible, Map<String, String> refused) {

        public boolean isBest(String name) {
            return !eligible.isEmpty() && eligible.get(0).name().equals(name);
        }

        public Candidate mostAdvanced() {
            return eligible.stream().max(Comparator.comparing(Candidate::lsn)).orElse(null);
        }
    }

    public static Ranking rank(List<Candidate> candidates, FailoverContext ctx) {
        List<Candidate> eligible = new ArrayList<>();
        Map<String, String> refused = new LinkedHashMap<>();
        for (Candidate c : candidates) {
            String why = PromotionRule.refusal(c, ctx);
            if (why == null) {
                eligible.add(c);
            } else {
                refused.put(c.name(), why);
            }
        }
        if (eligible.isEmpty()) {
            return new Ranking(List.of(), refused);
        }
        var best = eligible.stream().map(Candidate::lsn).max(Comparator.naturalOrder()).orElseThrow();
        List<Candidate> close = new ArrayList<>();
        for (Candidate c : eligible) {
            long behind = best.bytesAfter(c.lsn());
            if (behind <= ctx.lagTolerance()) {
                close.add(c);
            } else {
                refused.put(c.name(), behind + " bytes behind the most advanced candidate (lag_tolerance "
                        + ctx.lagTolerance() + ")");
            }
        }
        close.sort(preference(ctx));
        return new Ranking(List.copyOf(close), refused);
    }

    private static Comparator<Candidate> preference(FailoverContext ctx) {
        Comparator<Candidate> sameRegion = Comparator.comparing(
                c -> !(ctx.lostLeaderRegion() != null && ctx.lostLeaderRegion().equals(c.region())));
        Comparator<Candidate> regionOrder = Comparator.comparingInt(c -> {
            int i = ctx.regionPriority().indexOf(c.region());
            return i < 0 ? Integer.MAX_VALUE : i;
        });
        return sameRegion
                .thenComparing(regionOrder)
                .thenComparing(Comparator.comparingInt((Candidate c) -> c.tags().failoverPriority()).reversed())
                .thenComparing(Comparator.comparing(Candidate::lsn).reversed())
                .thenComparing(Candidate::name);
    }
}
