package io.meridian.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.core.config.ConfigException;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.core.console.ConfigText;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigTextTest {

    @Test
    void setAssignmentsBecomeATypedMergePatch() {
        String patch = ConfigText.patch(List.of("loop_wait=2", "paused=true", "parameters.work_mem=64MB", "region_priority=[tokyo, paris]"));
        assertThat(patch).isEqualTo("{\"loop_wait\":2,\"paused\":true,\"parameters\":{\"work_mem\":\"64MB\"},\"region_priority\":[\"tokyo\",\"paris\"]}");
        DynamicConfig c = DynamicConfigParser.merge("--set", DynamicConfig.DEFAULTS, patch);
        assertThat(c.loopWait()).isEqualTo(2);
        assertThat(c.paused()).isTrue();
        assertThat(c.parameters()).containsEntry("work_mem", "64MB");
        assertThat(c.regionPriority()).containsExactly("tokyo", "paris");
    }

    @Test
    void nullRemovesAParameter() {
        DynamicConfig with = DynamicConfigParser.merge("--set", DynamicConfig.DEFAULTS, ConfigText.patch(List.of("parameters.work_mem=64MB")));
        DynamicConfig without = DynamicConfigParser.merge("--set", with, ConfigText.patch(List.of("parameters.work_mem=null")));
        assertThat(without.parameters()).doesNotContainKey("work_mem");
    }

    @Test
    void anUnsafeChangeIsRefusedByTheSharedParserNamingTheKey() {
        assertThatThrownBy(() -> DynamicConfigParser.merge("--set", DynamicConfig.DEFAULTS, ConfigText.patch(List.of("loop_wait=5"))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--set: ttl: expected loop_wait + 2 * retry_timeout <= ttl, got 5 + 2 * 2 > 6");
        assertThatThrownBy(() -> ConfigText.patch(List.of("loop_wait"))).hasMessage("--set: expected key=value, got \"loop_wait\"");
    }

    @Test
    void yamlIsStableAndTheDiffShowsOnlyWhatChanged() {
        String before = ConfigText.yaml(DynamicConfig.DEFAULTS);
        assertThat(before).contains("loop_wait: 1.0\n").contains("ttl: 6.0\n");
        assertThat(ConfigText.yaml(DynamicConfig.DEFAULTS)).isEqualTo(before);
        String after = ConfigText.yaml(DynamicConfig.DEFAULTS.withPaused(true));
        List<String> diff = LineDiff.diff(before, after);
        assertThat(diff).containsSubsequence("- paused: false", "+ paused: true");
        assertThat(diff.stream().filter(l -> !l.startsWith("  "))).hasSize(2);
        assertThat(LineDiff.diff(before, before)).isEmpty();
    }
}
