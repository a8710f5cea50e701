package io.meridian.router.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.BuildInfo;
import io.meridian.router.config.RouterConfig;
import io.meridian.router.lag.LagMonitor;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RouterMetricsTest {

    @Test
    void buildInfoNamesTheVersionAndCommitTheRouterRuns() throws Exception {
        RouterMetrics metrics = new RouterMetrics(new LagMonitor(
                new RouterConfig.Monitor("u", "p", "postgres", Duration.ofSeconds(1), Duration.ofSeconds(1))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, metrics.registry.scrape());

        BuildInfo build = BuildInfo.current();
        assertThat(build.version()).isNotEqualTo(BuildInfo.UNKNOWN);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("meridian_router_build_info{commit=\"" + build.commit()
                + "\",version=\"" + build.version() + "\"} 1");
    }
}
