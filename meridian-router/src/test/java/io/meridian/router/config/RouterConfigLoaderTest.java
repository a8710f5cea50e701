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
        assertThat(c.serverTls()).isEqualTo(RouterConfig.ServerTls.DISABLE);
        assertThat(RouterConfigLoader.parse(Path.of("router.yml"), GOOD + "tls: {server_mode: require}\n").serverTls())
                .isEqualTo(RouterConfig.ServerTls.REQUIRE);
    }

    @Test
    void reloadAppliesPolicyAndRefusesWhatNeedsARestart() {
        LiveConfig live = new LiveConfig(RouterConfigLoader.parse(Path.of("router.yml"), GOOD));
        RouterConfig looser = RouterConfigLoader.parse(Path.of("router.yml"), GOOD.replace("16MB,5s", "1GB").replace("fallback: refuse", "fallback: leader"));
        assertThat(live.reload(looser)).containsExactly("reads.max_lag", "reads.fallback");
        assertThat(live.get()).isSameAs(looser);
        RouterConfig moved = RouterConfigLoader.parse(Path.of("router.yml"), GOOD.replace("127.0.0.1:5440", "127.0.0.1:6440"));
        assertThatThrownBy(() -> live.reload(moved)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("router.yml: listen.rw: cannot change without a restart");
        assertThat(live.get()).isSameAs(looser);
        // The monitor login changes while running (password rotation); only its key is reported.
        RouterConfig newPassword = RouterConfigLoader.parse(Path.of("router.yml"), GOOD.replace("s3cret", "other"));
        assertThat(live.reload(newPassword)).contains("monitor").noneMatch(k -> k.contains("s3cret") || k.contains("other"));
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
        assertThatThrownBy(() -> RouterConfigLoader.parse(Path.of("r.yml"), GOOD + "tls: {server_mode: verify}\n"))
                .hasMessage("r.yml: tls.server_mode: expected disable, prefer, require, verify-ca or verify-full, got \"verify\"");
        assertThatThrownBy(() -> RouterConfigLoader.parse(Path.of("r.yml"), GOOD + "tls: {server_mode: verify-full}\n"))
                .hasMessageStartingWith("r.yml: tls.server_root_cert: expected the PEM file of the root certificate(s)");
        assertThatThrownBy(() -> RouterConfigLoader.parse(Path.of("r.yml"), GOOD + "tls: {server_mode: verify-ca, server_root_cert: /nonexistent/root.crt}\n"))
                .hasMessage("r.yml: tls.server_root_cert: expected a readable PEM file, got \"/nonexistent/root.crt\"");
        assertThatThrownBy(() -> RouterConfigLoader.parse(Path.of("r.yml"), GOOD + "tls: {server_mode: require, server_root_cert: /etc/hostname}\n"))
                .hasMessage("r.yml: tls.server_root_cert: is only used with server_mode verify-ca or verify-full, got server_mode require");
        assertThatThrownBy(() -> RouterConfigLoader.parse(Path.of("r.yml"), GOOD + "tls: {server_mode: require, server_crl: /etc/hostname}\n"))
                .hasMessage("r.yml: tls.server_crl: is only used with server_mode verify-ca or verify-full, got server_mode require");
        assertThatThrownBy(() -> RouterConfigLoader.parse(Path.of("r.yml"),
                GOOD + "tls: {server_mode: verify-ca, server_root_cert: /etc/hostname, server_crl: /nonexistent/root.crl}\n"))
                .hasMessage("r.yml: tls.server_crl: expected a readable PEM file, got \"/nonexistent/root.crl\"");
    }

    @Test
    void verifyModesReadTheRootCertificate() {
        RouterConfig c = RouterConfigLoader.parse(Path.of("router.yml"),
                GOOD + "tls: {server_mode: verify-full, server_root_cert: /etc/hostname}\n");
        assertThat(c.serverTls()).isEqualTo(RouterConfig.ServerTls.VERIFY_FULL);
        assertThat(c.serverRootCert()).isEqualTo(Path.of("/etc/hostname"));
        LiveConfig live = new LiveConfig(RouterConfigLoader.parse(Path.of("router.yml"), GOOD + "tls: {server_mode: require}\n"));
        assertThat(live.reload(c)).containsExactly("tls.server_mode", "tls.server_root_cert");
        RouterConfig withCrl = RouterConfigLoader.parse(Path.of("router.yml"),
                GOOD + "tls: {server_mode: verify-full, server_root_cert: /etc/hostname, server_crl: /etc/hostname}\n");
        assertThat(withCrl.serverCrl()).isEqualTo(Path.of("/etc/hostname"));
        assertThat(live.reload(withCrl)).containsExactly("tls.server_crl");
    }
}
