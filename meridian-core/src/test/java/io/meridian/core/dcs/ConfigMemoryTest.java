package io.meridian.core.dcs;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.config.DynamicConfig;
import org.junit.jupiter.api.Test;

/** What {@code /config} stands for in one process, across values that decode and values that do not. */
class ConfigMemoryTest {

    private static final String KEY = "/meridian/demo/config";
    private final ConfigMemory memory = new ConfigMemory();

    @Test
    void aValidValueIsUsedAndRemembered() {
        ConfigMemory.Decoded d = memory.decode(KEY, "{\"synchronous_mode\": \"quorum\", \"paused\": true}", 7);
        assertThat(d.error()).isNull();
        assertThat(d.validVersion()).isEqualTo(7);
        assertThat(d.config().synchronousMode()).isEqualTo("quorum");
        assertThat(d.config().paused()).isTrue();
    }

    @Test
    void anInvalidValueKeepsTheLastValidOneNeverTheDefaults() {
        memory.decode(KEY, "{\"synchronous_mode\": \"quorum\", \"parameters\": {\"work_mem\": \"8MB\"}}", 7);
        ConfigMemory.Decoded bad = memory.decode(KEY, "{\"synchronous_mode\": \"sometimes\"}", 9);
        assertThat(bad.error()).contains(KEY, "synchronous_mode", "expected one of off, quorum, region_quorum");
        assertThat(bad.validVersion()).isEqualTo(7);
        assertThat(bad.config().synchronousMode()).isEqualTo("quorum");
        assertThat(bad.config().parameters()).containsEntry("work_mem", "8MB");

        ConfigMemory.Decoded garbage = memory.decode(KEY, "{not json", 10);
        assertThat(garbage.error()).contains("is not valid JSON");
        assertThat(garbage.config().synchronousMode()).isEqualTo("quorum");

        ConfigMemory.Decoded gone = memory.decode(KEY, null, 0);
        assertThat(gone.error()).contains("the key is missing");
        assertThat(gone.config().synchronousMode()).isEqualTo("quorum");

        ConfigMemory.Decoded fixed = memory.decode(KEY, "{}", 11);
        assertThat(fixed.error()).isNull();
        assertThat(fixed.config()).isEqualTo(DynamicConfig.DEFAULTS);
    }

    @Test
    void withoutAnyValidValueTheAgentTakesNoAutomaticAction() {
        ConfigMemory.Decoded d = memory.decode(KEY, "{\"ttl\": \"long\"}", 5);
        assertThat(d.error()).contains("ttl");
        assertThat(d.validVersion()).isZero();
        assertThat(d.config().paused()).as("acts as paused").isTrue();
    }

    @Test
    void aMissingKeyBeforeBootstrapIsTheDefaults() {
        ConfigMemory.Decoded d = memory.decode(KEY, null, 0);
        assertThat(d.error()).isNull();
        assertThat(d.config()).isNull();
    }

    @Test
    void keysOfANewerVersionAreTolerated() {
        ConfigMemory.Decoded d = memory.decode(KEY, "{\"loop_wait\": 2, \"future_setting\": {\"x\": [1, 2]}}", 4);
        assertThat(d.error()).isNull();
        assertThat(d.config().loopWait()).isEqualTo(2);
    }
}
