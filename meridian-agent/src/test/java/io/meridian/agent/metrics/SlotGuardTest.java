package io.meridian.agent.metrics;

import static io.meridian.agent.metrics.ClusterFixtures.MIB;
import static io.meridian.agent.metrics.ClusterFixtures.slot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlotGuardTest {

    private final ClusterFixtures.ManualClock clock = new ClusterFixtures.ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final SlotGuard guard = new SlotGuard(clock);

    @Test
    void warnsOnlyOnceASlotHasBeenInactiveLongerThanThirtyMinutes() {
        assertThat(guard.check(List.of(slot("tokyo_1", false, 3 * MIB), slot("newyork_1", true, MIB)))).isEmpty();
        clock.advanceMillis(Duration.ofMinutes(30).toMillis());
        assertThat(guard.check(List.of(slot("tokyo_1", false, 3 * MIB)))).as("exactly 30 min is not more than 30").isEmpty();

        clock.advanceMillis(Duration.ofMinutes(1).toMillis());
        List<SlotGuard.Warning> warnings = guard.check(List.of(slot("tokyo_1", false, 12 * 1024 * MIB),
                slot("newyork_1", true, MIB)));

        assertThat(warnings).singleElement().satisfies(w -> {
            assertThat(w.slot()).isEqualTo("tokyo_1");
            assertThat(w.inactiveFor()).isEqualTo(Duration.ofMinutes(31));
            assertThat(w.message()).isEqualTo(
                    "replication slot tokyo_1 inactive for 31 min, retaining 12.0 GB of WAL (wal_status reserved)");
        });
    }

    @Test
    void aSlotThatBecomesActiveAgainStartsItsCountAfresh() {
        guard.check(List.of(slot("tokyo_1", false, 0)));
        clock.advanceMillis(Duration.ofMinutes(25).toMillis());
        guard.check(List.of(slot("tokyo_1", true, 0)));
        assertThat(guard.inactiveFor("tokyo_1")).isEmpty();
        guard.check(List.of(slot("tokyo_1", false, 0)));
        clock.advanceMillis(Duration.ofMinutes(25).toMillis());

        assertThat(guard.check(List.of(slot("tokyo_1", false, 0)))).isEmpty();
        assertThat(guard.inactiveFor("tokyo_1")).contains(Duration.ofMinutes(25));
    }

    @Test
    void aDroppedSlotIsForgotten() {
        guard.check(List.of(slot("tokyo_1", false, 0)));
        clock.advanceMillis(Duration.ofHours(1).toMillis());
        guard.check(List.of());
        assertThat(guard.check(List.of(slot("tokyo_1", false, 0)))).as("recreated slot is a new slot").isEmpty();
    }

    @Test
    void thresholdIsConfigurableAndMustNotBeNegative() {
        SlotGuard strict = new SlotGuard(clock, Duration.ofSeconds(10));
        strict.check(List.of(slot("s", false, 0)));
        clock.advanceMillis(11_000);
        assertThat(strict.check(List.of(slot("s", false, 0)))).hasSize(1);
        assertThatThrownBy(() -> new SlotGuard(clock, Duration.ofSeconds(-1)))
                .hasMessageContaining("slot inactivity threshold");
    }
}
