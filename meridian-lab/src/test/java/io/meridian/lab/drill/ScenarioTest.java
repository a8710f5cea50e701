package io.meridian.lab.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.core.console.CliException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioTest {

    @Test
    void theAgentFaultsParseByTheirCommandNamesAndMoveTheLeader() {
        assertThat(Scenario.parse("freeze-agent")).isEqualTo(Scenario.FREEZE_AGENT);
        assertThat(Scenario.parse("kill-agent")).isEqualTo(Scenario.KILL_AGENT);
        assertThat(Scenario.FREEZE_AGENT.movesLeader()).isTrue();
        assertThat(Scenario.KILL_AGENT.movesLeader()).isTrue();
    }

    @Test
    void anUnknownScenarioNamesTheKnownOnes() {
        assertThatThrownBy(() -> Scenario.parse("freeze"))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("unknown scenario \"freeze\"")
                .hasMessageContaining("freeze-agent, kill-agent");
    }

    @Test
    void aFrozenAgentsFaultLastsTheFreezeAndSaysPostgresRunsOn() {
        Fault f = new Fault(Scenario.FREEZE_AGENT, List.of("paris-1"), null, null, false, Duration.ofSeconds(15));
        assertThat(f.describe()).isEqualTo("SIGSTOP the agent of paris-1 for 15 s (PostgreSQL runs on)");
        assertThat(f.endsNs(1_000_000_000L)).isEqualTo(16_000_000_000L);
    }

    @Test
    void aKilledAgentsFaultEndsAtOnceAndLeavesPostgres() {
        Fault f = new Fault(Scenario.KILL_AGENT, List.of("paris-1"), null, null, false);
        assertThat(f.describe()).isEqualTo("SIGKILL the agent of paris-1 (PostgreSQL runs on)");
        assertThat(f.freeze()).isZero();
        assertThat(f.endsNs(5L)).isEqualTo(5L);
    }
}
