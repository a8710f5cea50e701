package io.meridian.agent;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.core.failover.Candidate;
import io.meridian.core.failover.FailoverCandidates;
import io.meridian.core.postgres.PostgresController;
import io.meridian.core.postgres.PostgresException;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The race's winner by preference (its region, then region_priority...) may be up to
 * {@code lag_tolerance} bytes behind the most advanced candidate. Promoting it at once would throw
 * those bytes away, acknowledged commits among them; instead it streams them from the most advanced
 * standby first (cascading replication), and only then takes the leader key.
 *
 * <p>Bounded by {@code catchup_timeout}: when the target is not reached in time, when the most
 * advanced node stops being an eligible, answering candidate, or when we cannot point our WAL
 * receiver at it, the node promotes with what it has, as the operator's lag_tolerance allowed.
 * Meanwhile the others keep waiting: the ranking still names this node best, since it only moves
 * towards the most advanced position and never past it.
 *
 * <p>Reached means our furthest WAL (received or replayed) is at the target: a promotion replays
 * everything already streamed to pg_wal before it ends recovery (xlogrecovery.c: "after being
 * triggered, we still want to replay all the WAL that was already streamed"), so waiting for replay
 * as well would only wait longer; and the target itself may end in a partial record that replay can
 * never reach.
 *
 * <p>State lives across consecutive racing cycles only: HaLoop calls {@link #endCycle()} after every
 * cycle, and a cycle that did not step a catch-up forgets it.
 */
final class CatchUp {

    /**
     * What the race does this cycle.
     *
     * @param promote take the leader key and promote now
     * @param note    when promoting, how the catch-up ended (empty when there was none); otherwise
     *                the HA cycle's sentence
     */
    record Step(boolean promote, String note) {
    }

    private final PostgresController pg;
    private final LongSupplier nanoClock;
    private String upstream;
    private Lsn target;
    private long startedNanos;
    private boolean steppedThisCycle;

    /** @param nanoClock monotonic nanoseconds ({@code System::nanoTime} outside tests) */
    CatchUp(PostgresController pg, LongSupplier nanoClock) {
        this.pg = pg;
        this.nanoClock = nanoClock;
    }

    /** Called in the race by the best candidate, {@code self}, every cycle until it promotes. */
    Step step(Cluster c, Candidate self, FailoverCandidates.Ranking ranking, DynamicConfig cfg) {
        steppedThisCycle = true;
        if (upstream == null) {
            return start(c, self, ranking, cfg);
        }
        long elapsed = nanoClock.getAsLong() - startedNanos;
        double spent = elapsed / 1e9;
        long missing = target.bytesAfter(self.lsn());
        if (missing == 0) {
            return done(String.format(Locale.ROOT, "; caught up from %s to %s in %.1f s", upstream, target, spent));
        }
        if (ranking.eligible().stream().noneMatch(x -> x.name().equals(upstream))) {
            return done(String.format(Locale.ROOT, "; %s dropped out during catch-up (%s): promoting %d bytes short"
                    + " of %s (within lag_tolerance)", upstream, ranking.refused().getOrDefault(upstream, "gone"),
                    missing, target));
        }
        if (elapsed > cfg.catchupTimeoutMillis() * 1_000_000L) {
            return done(String.format(Locale.ROOT, "; catch-up from %s timed out after %.1f s (catchup_timeout %s s): promoting"
                    + " %d bytes short of %s (within lag_tolerance)", upstream, spent, DynamicConfigParser.fmt(cfg.catchupTimeout()),
                    missing, target));
        }
        return new Step(false, String.format(Locale.ROOT, "no leader: catching up from %s before promoting: at %s, %d bytes to go"
                + " (%.1f s of catchup_timeout %s s)", upstream, self.lsn(), missing, spent, DynamicConfigParser.fmt(cfg.catchupTimeout())));
    }

    private Step start(Cluster c, Candidate self, FailoverCandidates.Ranking ranking, DynamicConfig cfg) {
        Candidate ahead = ranking.mostAdvanced();
        if (ahead == null || ahead.name().equals(self.name()) || !ahead.lsn().isAfter(self.lsn())) {
            return new Step(true, "");
        }
        long behind = ahead.lsn().bytesAfter(self.lsn());
        if (cfg.catchupTimeout() <= 0) {
            return new Step(true, "; " + behind + " bytes behind " + ahead.name() + ", not caught up (catchup_timeout 0)");
        }
        Member member = c.member(ahead.name()).orElse(null);
        if (member == null || member.host() == null) {
            return new Step(true, "; " + behind + " bytes behind " + ahead.name()
                    + ", which has no address in its member record to catch up from");
        }
        try {
            pg.catchUpFrom(member, c.config().parameters());
        } catch (PostgresException e) {
            return new Step(true, "; " + behind + " bytes behind " + ahead.name() + ", could not stream from it: "
                    + e.getMessage());
        }
        upstream = ahead.name();
        target = ahead.lsn();
        startedNanos = nanoClock.getAsLong();
        return new Step(false, "no leader: catching up from " + upstream + " (" + target + ", " + behind
                + " bytes ahead) before promoting");
    }

    private Step done(String note) {
        reset();
        return new Step(true, note);
    }

    /** Forgets a catch-up that no cycle stepped: the race ended, or we are no longer its winner. */
    void endCycle() {
        if (!steppedThisCycle) {
            reset();
        }
        steppedThisCycle = false;
    }

    void reset() {
        upstream = null;
        target = null;
        startedNanos = 0;
    }
}
