package io.meridian.router.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.core.cluster.Lsn;
import io.meridian.router.route.LagBound;
import org.junit.jupiter.api.Test;

class ConnectionOptionsTest {

    @Test
    void takesRouterSettingsOutOfOptionsAndKeepsTheRest() throws Exception {
        var ex = ConnectionOptions.extract(StartupParserTest.startup("user", "app", "options",
                "-c search_path=a\\ b -c meridian.max_lag=16MB,5s --meridian.min_lsn=0/3000060 -cmeridian.region=paris --work_mem=4MB"));
        assertThat(ex.hints().maxLag()).isEqualTo(new LagBound(16L << 20, 5000));
        assertThat(ex.hints().minLsn()).isEqualTo(Lsn.parse("0/3000060"));
        assertThat(ex.hints().region()).isEqualTo("paris");
        assertThat(ex.startup().get("options")).isEqualTo("-c search_path=a\\ b --work_mem=4MB");
        assertThat(ex.startup().get("user")).isEqualTo("app");
    }

    @Test
    void acceptsTopLevelParametersAndDropsAnEmptyOptions() throws Exception {
        var ex = ConnectionOptions.extract(StartupParserTest.startup("user", "app", "meridian.region", "tokyo", "options", "-c meridian.max_lag=1s"));
        assertThat(ex.hints().region()).isEqualTo("tokyo");
        assertThat(ex.hints().maxLag()).isEqualTo(new LagBound(-1, 1000));
        assertThat(ex.startup().get("options")).isNull();
        assertThat(ex.startup().parameters()).hasSize(1);
    }

    @Test
    void refusesUnknownOrUnreadableSettings() {
        assertThatThrownBy(() -> ConnectionOptions.extract(StartupParserTest.startup("user", "a", "options", "-c meridian.min_lsn=zz")))
                .hasMessageContaining("meridian.min_lsn");
        assertThatThrownBy(() -> ConnectionOptions.extract(StartupParserTest.startup("user", "a", "meridian.lag", "1s")))
                .hasMessageContaining("unrecognized router option");
        assertThatThrownBy(() -> ConnectionOptions.extract(StartupParserTest.startup("user", "a", "options", "-c meridian.region")))
                .hasMessageContaining("has no value");
    }
}
