package io.meridian.router.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.core.config.ConfigException;
import io.meridian.router.route.LagBound;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RouterConfigLoaderTest {

    static final String GOOD = """
            cluster: demo
            region: paris
            etcd: {endpoints: [http://127.0.0.1:2379]}
            listen: {rw: 127.0.0.1:5440, ro: 127.0.0.1:5441, http: 127.0.0.1:8440}
            reads: {max_lag: "16MB,5s", fallback: refuse, min_lsn_wait: 0.25}
            monitor: {username: monitor, password: s3cret}
            """;

    @Test
    void readsAFullFileWithDefaults() {
        RouterConfig c = RouterConfigLoader.parse(Path.of("router.yml"), GOOD);
        assertThat(c.name()).isEqualTo("router-paris");
        assertThat(c.reads().maxLag()).isEqualTo(new LagBound(16L << 20, 5000));
        assertThat(c.reads().fallback()).isEqualTo(RouterConfig.Fallback.REFUSE);
        assertThat(c.reads().minLsnWait()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.monitor().interval()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.etcd().namespace()).isEqualTo("/meridian");
        assertThat(c.monitor().toString()).doesNotContain("s3cret");
    }

    @Test
    void errorsNameFileKeyAndExpectation() {
        assertThatThrownBy(() -> RouterConfigLoader.parse(Path.of("r.yml"), GOOD.replace("fallback: refuse", "fallback: guess")))
                .isInstanceOf(ConfigException.class).hasMessage("r.yml: reads.fallback: expected leader or refuse, got \"guess\"");
        assertThatThrownBy(() -> RouterConfigLoader.parse(Path.of("r.yml"), GOOD.replace("16MB,5s", "lots")))
                .hasMessageStartingWith("r.yml: reads.max_lag: expected a lag bound");
        assertThatThrownBy(() -> RouterConfigLoader.parse(Path.of("r.yml"), GOOD.replace("127.0.0.1:5441", "127.0.0.1:5440")))
                .hasMessageContaining("r.yml: listen.ro: expected an address of its own");
        assertThatThrownBy(() -> RouterConfigLoader.parse(Path.of("r.yml"), GOOD.replace("password: s3cret", "pasword: s3cret")))
                .hasMessageContaining("r.yml: monitor.pasword: unknown key");
    }
}
