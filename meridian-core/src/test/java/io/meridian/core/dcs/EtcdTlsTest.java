package io.meridian.core.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.core.process.EtcdServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
        authority = TestCertificates.authority(dir, "etcd-ca");
        otherAuthority = TestCertificates.authority(dir, "other-ca");
        TestCertificates.issue(dir, "etcd-ca", "server", "IP:127.0.0.1");
        TestCertificates.issue(dir, "etcd-ca", "agent", "DNS:paris-1");
        TestCertificates.issue(dir, "other-ca", "stranger", "DNS:paris-1");
        etcd = EtcdServer.single("etcd-tls", dir.resolve("etcd"))
                .tls(dir.resolve("server.crt"), dir.resolve("server.key"), authority);
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
        try (EtcdDcs dcs = connect(new EtcdTls(authority, dir.resolve("agent.crt"), dir.resolve("agent.key")))) {
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
        try (EtcdDcs dcs = connect(new EtcdTls(otherAuthority, dir.resolve("stranger.crt"), dir.resolve("stranger.key")))) {
            assertThatThrownBy(dcs::load).isInstanceOf(DcsException.class);
        }
    }

    @Test
    void anUnreadableFileIsNamed() {
        assertThatThrownBy(() -> connect(new EtcdTls(dir.resolve("missing.crt"), null, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.crt");
    }

    /** Test certificates made with openssl: an authority, and certificates it signs naming a subjectAltName. */
    static final class TestCertificates {

        private TestCertificates() {
        }

        /** {@code <name>.crt} and {@code <name>.key} in {@code dir}; returns the certificate. */
        static Path authority(Path dir, String name) throws IOException, InterruptedException {
            openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.resolve(name + ".key").toString(),
                    "-out", dir.resolve(name + ".crt").toString(), "-days", "2", "-subj", "/CN=" + name);
            return dir.resolve(name + ".crt");
        }

        /** {@code <name>.crt} and a PKCS#8 {@code <name>.key}, signed by authority {@code ca}. */
        static void issue(Path dir, String ca, String name, String subjectAltName) throws IOException, InterruptedException {
            Path ext = dir.resolve(name + ".ext");
            Files.writeString(ext, "subjectAltName=" + subjectAltName + "\nextendedKeyUsage=serverAuth,clientAuth\n");
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.resolve(name + ".key").toString(),
                    "-out", dir.resolve(name + ".csr").toString(), "-subj", "/CN=" + name);
            openssl("x509", "-req", "-in", dir.resolve(name + ".csr").toString(), "-CA", dir.resolve(ca + ".crt").toString(),
                    "-CAkey", dir.resolve(ca + ".key").toString(), "-CAcreateserial", "-days", "2",
                    "-extfile", ext.toString(), "-out", dir.resolve(name + ".crt").toString());
        }

        private static void openssl(String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of("openssl"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
        }
    }
}
