package io.meridian.core.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.lab.tls.LocalAuthority;
import io.meridian.testkit.EtcdExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real etcd that serves clients only over TLS and only with a client certificate from its
 * authority ({@code --client-cert-auth}), as an etcd spread over regions should.
 */
class EtcdTlsTest {

    @RegisterExtension
    static final EtcdExtension etcd = new EtcdExtension().withTls();
    @TempDir
    static Path dir;
    static Path authority;
    static Path otherAuthority;

    @BeforeAll
    static void certificates() throws Exception {
        LocalAuthority ca = etcd.authority();
        LocalAuthority other = LocalAuthority.create(dir.resolve("other"), "other-ca", 2);
        authority = ca.certificate();
        otherAuthority = other.certificate();
        ca.issue("agent", "DNS:paris-1", null, 2);
        other.issue("stranger", "DNS:paris-1", null, 2);
    }

    // retry_timeout 10 s: the first mutual-TLS handshake and lease grant took over 3 s on a loaded 2-core machine.
    private static EtcdDcs connect(EtcdTls tls) {
        return EtcdDcs.connect(etcd.endpoints(), "/meridian", "tls", "paris-1", 30, 10, tls);
    }

    @Test
    void anAgentWithTheAuthorityAndItsOwnCertificateWorks() throws Exception {
        assertThat(etcd.member(0).clientUrl()).startsWith("https://");
        try (EtcdDcs dcs = connect(new EtcdTls(authority, etcd.authority().certificate("agent"), etcd.authority().key("agent")))) {
            assertThat(dcs.claimInitialize()).isTrue();
            assertThat(dcs.acquireLeader("paris-1")).isTrue();
            assertThat(dcs.load().isLeader("paris-1")).isTrue();
        }
    }

    @Test
    void theJsonGatewayReadUsesTheSameFiles() throws Exception {
        EtcdTls tls = new EtcdTls(authority, etcd.authority().certificate("agent"), etcd.authority().key("agent"));
        try (EtcdDcs dcs = EtcdDcs.connect(etcd.endpoints(), "/meridian", "tls-http", "paris-1", 30, 10, tls)) {
            assertThat(dcs.claimInitialize()).isTrue();
            assertThat(dcs.acquireLeader("paris-1")).isTrue();
            assertThat(EtcdHttpRead.load(etcd.endpoints(), "/meridian", "tls-http", tls, java.time.Duration.ofSeconds(5)))
                    .isEqualTo(dcs.load());
        }
        assertThatThrownBy(() -> EtcdHttpRead.load(etcd.endpoints(), "/meridian", "tls-http",
                new EtcdTls(authority, null, null), java.time.Duration.ofSeconds(5))).isInstanceOf(DcsException.class);
    }

    @Test
    void withoutAClientCertificateEtcdRefuses() {
        try (EtcdDcs dcs = connect(new EtcdTls(authority, null, null))) {
            assertThatThrownBy(dcs::load).isInstanceOf(DcsException.class);
        }
    }

    @Test
    void aServerCertificateFromAnotherAuthorityIsRefused() {
        try (EtcdDcs dcs = connect(new EtcdTls(otherAuthority, dir.resolve("other/stranger.crt"), dir.resolve("other/stranger.key")))) {
            assertThatThrownBy(dcs::load).isInstanceOf(DcsException.class);
        }
    }

    @Test
    void anUnreadableFileIsNamed() {
        assertThatThrownBy(() -> connect(new EtcdTls(dir.resolve("missing.crt"), null, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.crt");
    }
}
