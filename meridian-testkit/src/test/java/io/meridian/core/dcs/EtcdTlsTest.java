package io.meridian.core.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.lab.process.EtcdServer;
import io.meridian.lab.tls.LocalAuthority;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real etcd that serves clients only over TLS and only with a client certificate from its
 * authority ({@code --client-cert-auth}), as an etcd spread over regions should.
 */
class EtcdTlsTest {

    @TempDir
    static Path dir;
    static EtcdServer etcd;
    static Path authority;
    static Path otherAuthority;

    @BeforeAll
    static void start() throws Exception {
        LocalAuthority ca = LocalAuthority.create(dir.resolve("ca"), "etcd-ca", 2);
        LocalAuthority other = LocalAuthority.create(dir.resolve("other"), "other-ca", 2);
        authority = ca.certificate();
        otherAuthority = other.certificate();
        ca.issue("server", "IP:127.0.0.1", null, 2);
        ca.issue("agent", "DNS:paris-1", null, 2);
        other.issue("stranger", "DNS:paris-1", null, 2);
        etcd = EtcdServer.single("etcd-tls", dir.resolve("etcd"))
                .tls(ca.certificate("server"), ca.key("server"), authority);
        etcd.start();
    }

    @AfterAll
    static void stop() {
        if (etcd != null) {
            etcd.close();
        }
    }

    private static EtcdDcs connect(EtcdTls tls) {
        return EtcdDcs.connect(List.of(etcd.clientUrl()), "/meridian", "tls", "paris-1", 6, 3, tls);
    }

    @Test
    void anAgentWithTheAuthorityAndItsOwnCertificateWorks() throws Exception {
        assertThat(etcd.clientUrl()).startsWith("https://");
        try (EtcdDcs dcs = connect(new EtcdTls(authority, dir.resolve("ca/agent.crt"), dir.resolve("ca/agent.key")))) {
            assertThat(dcs.claimInitialize()).isTrue();
            assertThat(dcs.acquireLeader("paris-1")).isTrue();
            assertThat(dcs.load().isLeader("paris-1")).isTrue();
        }
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
