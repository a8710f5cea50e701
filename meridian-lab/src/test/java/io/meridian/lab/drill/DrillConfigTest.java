package io.meridian.lab.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.core.config.ConfigException;
import io.meridian.core.config.DynamicConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DrillConfigTest {

    private static final List<String> SLOW = List.of("ttl=30", "loop_wait=5", "retry_timeout=10");

    @Test
    void setChangesTheTimingsAsEditConfigDoes() {
        DynamicConfig after = DrillConfig.changed(DynamicConfig.DEFAULTS, SLOW);
        assertThat(after.ttl()).isEqualTo(30);
        assertThat(after.loopWait()).isEqualTo(5);
        assertThat(after.retryTimeout()).isEqualTo(10);
    }

    @Test
    void theUndoPutsBackTheOldValuesAndRemovesKeysThatWereAbsent() {
        List<String> undo = DrillConfig.undo(DynamicConfig.DEFAULTS, List.of("ttl=30", "loop_wait=5", "retry_timeout=10",
                "parameters.work_mem=64MB"));
        assertThat(undo).containsExactly("ttl=6.0", "loop_wait=1.0", "retry_timeout=2.0", "parameters.work_mem=null");
        DynamicConfig changed = DrillConfig.changed(DynamicConfig.DEFAULTS, List.of("ttl=30", "loop_wait=5", "retry_timeout=10",
                "parameters.work_mem=64MB"));
        assertThat(DrillConfig.changed(changed, undo)).isEqualTo(DynamicConfig.DEFAULTS);
    }

    @Test
    void theReportNamesTheTimingsAndEverySetKey() {
        DynamicConfig after = DrillConfig.changed(DynamicConfig.DEFAULTS, List.of("ttl=30", "parameters.work_mem=64MB"));
        assertThat(DrillConfig.report(after, List.of("ttl=30", "parameters.work_mem=64MB")))
                .containsExactly(Map.entry("ttl", 30L), Map.entry("loop_wait", 1L), Map.entry("retry_timeout", 2L),
                        Map.entry("parameters.work_mem", "64MB"));
    }

    @Test
    void aTtlTooShortForTheLoopIsRefusedBeforeAnythingIsWritten() {
        assertThatThrownBy(() -> DrillConfig.changed(DynamicConfig.DEFAULTS, List.of("ttl=30", "loop_wait=5", "retry_timeout=20")))
                .isInstanceOf(ConfigException.class);
    }
}
