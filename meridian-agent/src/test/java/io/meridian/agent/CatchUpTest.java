package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.cluster.Role;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.failover.Candidate;
import io.meridian.core.failover.FailoverCandidates;
import io.meridian.core.failover.FailoverContext;
import io.meridian.core.postgres.PostgresController;
import io.meridian.core.postgres.PostgresException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The catch-up's decisions, cycle by cycle, with a hand-driven clock; PostgreSQL is a recording stand-in. */
class CatchUpTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long AHEAD = 0x5000060L;
    private final List<String> pointedAt = new ArrayList<>();
    private boolean repointFails;
    private long now = 1000 * SECOND;
    private final CatchUp catchUp = new CatchUp(recordingPostgres(), () -> now);
    private final DynamicConfig cfg = DynamicConfig.DEFAULTS;

    @Test
    void theMostAdvancedCandidatePromotesAtOnce() {
        CatchUp.Step s = catchUp.step(cluster(), paris(AHEAD), ranking(paris(AHEAD), newyork(AHEAD - 10)), cfg);
        assertThat(s.promote()).isTrue();
        assertThat(s.note()).isEmpty();
        assertThat(pointedAt).isEmpty();
    }

    @Test
    void aPreferredNodeBehindStreamsFromTheMostAdvancedThenPromotesOnceItHasTheTarget() {
        CatchUp.Step first = catchUp.step(cluster(), paris(AHEAD - 8192), ranking(paris(AHEAD - 8192), newyork(AHEAD)), cfg);
        assertThat(first.promote()).isFalse();
        assertThat(first.note()).isEqualTo("no leader: catching up from newyork-1 (0/5000060, 8192 bytes ahead) before promoting");
        assertThat(pointedAt).containsExactly("newyork-1");
        catchUp.endCycle();

        now += SECOND;
        CatchUp.Step waiting = catchUp.step(cluster(), paris(AHEAD - 100), ranking(paris(AHEAD - 100), newyork(AHEAD)), cfg);
        assertThat(waiting.promote()).isFalse();
        assertThat(waiting.note()).contains("100 bytes to go").contains("1.0 s of catchup_timeout 10 s");
        catchUp.endCycle();

        now += SECOND;
        CatchUp.Step done = catchUp.step(cluster(), paris(AHEAD), ranking(paris(AHEAD), newyork(AHEAD)), cfg);
        assertThat(done.promote()).isTrue();
        assertThat(done.note()).isEqualTo("; caught up from newyork-1 to 0/5000060 in 2.0 s");
        assertThat(pointedAt).as("pointed once, not every cycle").hasSize(1);
    }

    @Test
    void atTheTimeoutItPromotesWithWhatItHasAndSaysSo() {
        catchUp.step(cluster(), paris(AHEAD - 8192), ranking(paris(AHEAD - 8192), newyork(AHEAD)), cfg);
        catchUp.endCycle();
        now += 10 * SECOND + 1;
        CatchUp.Step s = catchUp.step(cluster(), paris(AHEAD - 4096), ranking(paris(AHEAD - 4096), newyork(AHEAD)), cfg);
        assertThat(s.promote()).isTrue();
        assertThat(s.note()).contains("timed out after 10.0 s (catchup_timeout 10 s)").contains("4096 bytes short of 0/5000060");
    }

    @Test
    void whenTheMostAdvancedNodeStopsAnsweringItPromotesWithWhatItHas() {
        catchUp.step(cluster(), paris(AHEAD - 8192), ranking(paris(AHEAD - 8192), newyork(AHEAD)), cfg);
        catchUp.endCycle();
        now += SECOND;
        Candidate gone = new Candidate("newyork-1", "newyork", MemberTags.DEFAULT, true, true, 1, new Lsn(AHEAD), true, false);
        CatchUp.Step s = catchUp.step(cluster(), paris(AHEAD - 8192), ranking(paris(AHEAD - 8192), gone), cfg);
        assertThat(s.promote()).isTrue();
        assertThat(s.note()).contains("newyork-1 dropped out during catch-up (its agent did not answer)").contains("8192 bytes short");
    }

    @Test
    void aCycleWithoutAStepForgetsTheCatchUpSoALaterRaceStartsAfresh() {
        catchUp.step(cluster(), paris(AHEAD - 8192), ranking(paris(AHEAD - 8192), newyork(AHEAD)), cfg);
        catchUp.endCycle();
        catchUp.endCycle(); // a leader appeared: the race, and this catch-up, are over
        now += 60 * SECOND;
        CatchUp.Step s = catchUp.step(cluster(), paris(AHEAD - 8192), ranking(paris(AHEAD - 8192), newyork(AHEAD)), cfg);
        assertThat(s.promote()).as("a new catch-up, not an expired one").isFalse();
        assertThat(pointedAt).hasSize(2);
    }

    @Test
    void zeroTimeoutOrAFailedRepointPromotesAtOnce() {
        DynamicConfig off = new DynamicConfig(6, 1, 2, 1024L * 1024, 3, 1800, false, 0, List.of(), "off", 1, false, false,
                0, Map.of(), 0);
        CatchUp.Step s = catchUp.step(cluster(), paris(AHEAD - 8192), ranking(paris(AHEAD - 8192), newyork(AHEAD)), off);
        assertThat(s.promote()).isTrue();
        assertThat(s.note()).contains("not caught up (catchup_timeout 0)");
        catchUp.endCycle();
        catchUp.endCycle();
        repointFails = true;
        s = catchUp.step(cluster(), paris(AHEAD - 8192), ranking(paris(AHEAD - 8192), newyork(AHEAD)), cfg);
        assertThat(s.promote()).isTrue();
        assertThat(s.note()).contains("could not stream from it: reload failed");
    }

    private static Candidate paris(long lsn) {
        return new Candidate("paris-2", "paris", MemberTags.DEFAULT, true, true, 1, new Lsn(lsn), true, true);
    }

    private static Candidate newyork(long lsn) {
        return new Candidate("newyork-1", "newyork", MemberTags.DEFAULT, true, true, 1, new Lsn(lsn), true, true);
    }

    /** Ranked as the HA loop ranks them: lag_tolerance 64 MB, the lost leader was in paris. */
    private static FailoverCandidates.Ranking ranking(Candidate... all) {
        return FailoverCandidates.rank(List.of(all),
                new FailoverContext(new Lsn(AHEAD), 1, 1 << 20, 64L << 20, "paris", List.of(), null));
    }

    private static Cluster cluster() {
        Member ny = new Member("newyork-1", "newyork", Role.REPLICA, "running", 1, Lsn.ZERO, new Lsn(AHEAD), new Lsn(AHEAD),
                null, 0, "127.0.0.1", 5433, "http://127.0.0.1:8008", MemberTags.DEFAULT, 0);
        return new Cluster("geo", 1, "1", null, 0, null, List.of(ny), null, null, 0, null, 0, List.of());
    }

    private PostgresController recordingPostgres() {
        return (PostgresController) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PostgresController.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("catchUpFrom")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    if (repointFails) {
                        throw new PostgresException("reload failed");
                    }
                    pointedAt.add(((Member) args[0]).name());
                    return null;
                });
    }
}
