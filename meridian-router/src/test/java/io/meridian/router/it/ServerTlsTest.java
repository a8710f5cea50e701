package io.meridian.router.it;

import static io.meridian.router.it.Clusters.cluster;
import static io.meridian.router.it.Clusters.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meridian.core.cluster.Role;
import io.meridian.lab.process.FreePorts;
import io.meridian.router.ClusterView;
import io.meridian.router.Router;
import io.meridian.router.config.RouterConfig;
import io.meridian.router.config.RouterConfigLoader;
import io.meridian.testkit.PgServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tls.server_mode against real servers: one that accepts TCP logins only over TLS (hostssl) and one
 * without TLS at all. The client speaks plain text to the router in every case.
 */
class ServerTlsTest {

    @TempDir
    static Path dir;

    static PgServer tlsOnly;
    static PgServer plain;
    /** TLS with a certificate from its own authority, naming 127.0.0.1, the host the router dials. */
    static PgServer signedForIp;
    static Path ipAuthority;
    /** TLS with a certificate from another authority, naming a host name the router does not dial. */
    static PgServer signedForName;
    static Path nameAuthority;

    @BeforeAll
    static void startPostgres() throws Exception {
        tlsOnly = PgServer.primary();
        tlsOnly.requireTls();
        plain = PgServer.primary();
        signedForIp = PgServer.primary();
        ipAuthority = signedForIp.requireTlsSignedByCa("IP:127.0.0.1");
        signedForName = PgServer.primary();
        nameAuthority = signedForName.requireTlsSignedByCa("DNS:db.meridian.test");
        // pg_ctl reload returns before the server has re-read its files.
        for (PgServer pg : new PgServer[] {tlsOnly, signedForIp, signedForName}) {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW ssl")) {
                    rs.next();
                    return rs.getString(1).equals("on");
                }
            });
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        for (PgServer pg : new PgServer[] {tlsOnly, plain, signedForIp, signedForName}) {
            if (pg != null) {
                pg.close();
            }
        }
    }

    static Router router(RouterConfig.ServerTls mode, PgServer leader) throws Exception {
        return router(mode, null, leader);
    }

    static Router router(RouterConfig.ServerTls mode, Path rootCert, PgServer leader) throws Exception {
        return router(mode, rootCert, null, leader);
    }

    static Router router(RouterConfig.ServerTls mode, Path rootCert, Path crl, PgServer leader) throws Exception {
        RouterConfig b = Clusters.config("paris", Duration.ofSeconds(30), null);
        RouterConfig cfg = new RouterConfig(b.source(), b.cluster(), b.name(), b.region(), b.etcd(), b.rwListen(), b.roListen(),
                null, b.reads(), b.monitor(), b.leaderStaleAfter(), b.connectTimeout(), b.startupTimeout(), null, mode, rootCert, crl);
        ClusterView view = new ClusterView();
        Router r = Router.start(cfg, view);
        view.apply(cluster(1, "p", member("p", "paris", Role.PRIMARY, leader.port)));
        return r;
    }

    /** A client of {@code r} is refused with the router's 08006 naming {@code why}. */
    static void assertRefusedAsConnectionFailure(Router r, String why) {
        assertThatThrownBy(() -> PgServerConnections.open(r.rwAddress().getPort(), null)).isInstanceOf(SQLException.class)
                .hasMessageContaining(why)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"));
    }

    /** A client of {@code r} logs in, and its server connection is encrypted or not, as the server sees it. */
    static void assertServerSideEncrypted(Router r, boolean expected) throws Exception {
        try (Connection c = PgServerConnections.open(r.rwAddress().getPort(), null)) {
            assertThat(encrypted(c)).isEqualTo(expected);
        }
    }

    /** Whether this session's own server connection is encrypted, as the server sees it. */
    static boolean encrypted(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    @Test
    void requireEncryptsTheServerSide() throws Exception {
        try (Router r = router(RouterConfig.ServerTls.REQUIRE, tlsOnly)) {
            assertServerSideEncrypted(r, true);
        }
    }

    @Test
    void libpqLogsInThroughARouterThatEncryptsTheServerSide() throws Exception {
        // The server offers SCRAM-SHA-256-PLUS over the router's TLS; libpq on a plain connection
        // to the router would refuse that offer outright, so the router withdraws it.
        try (Router r = router(RouterConfig.ServerTls.REQUIRE, tlsOnly)) {
            ProcessBuilder pb = new ProcessBuilder("/usr/lib/postgresql/15/bin/psql", "-w", "-Atc",
                    "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                    "host=127.0.0.1 port=" + r.rwAddress().getPort() + " user=postgres dbname=postgres sslmode=disable")
                    .redirectErrorStream(true);
            pb.environment().put("PGPASSWORD", PgServer.PASSWORD);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out).isEqualTo("t");
        }
    }

    @Test
    void preferEncryptsWhereOfferedAndGoesOnInPlainTextElsewhere() throws Exception {
        try (Router r = router(RouterConfig.ServerTls.PREFER, tlsOnly)) {
            assertServerSideEncrypted(r, true);
        }
        try (Router r = router(RouterConfig.ServerTls.PREFER, plain)) {
            assertServerSideEncrypted(r, false);
        }
    }

    @Test
    void requireRefusesAServerWithoutTls() throws Exception {
        try (Router r = router(RouterConfig.ServerTls.REQUIRE, plain)) {
            assertRefusedAsConnectionFailure(r, "does not accept TLS");
        }
    }

    @Test
    void verifyFullAcceptsACertificateFromTheRootThatNamesTheHost() throws Exception {
        try (Router r = router(RouterConfig.ServerTls.VERIFY_FULL, ipAuthority, signedForIp)) {
            assertServerSideEncrypted(r, true);
        }
    }

    @Test
    void verifyCaRefusesACertificateFromAnotherRoot() throws Exception {
        for (Path foreign : new Path[] {nameAuthority, tlsOnly.data.resolve("server.crt")}) {
            try (Router r = router(RouterConfig.ServerTls.VERIFY_CA, foreign, signedForIp)) {
                assertRefusedAsConnectionFailure(r, "TLS handshake failed");
            }
        }
    }

    @Test
    void verifyCaAcceptsACertificateNamingAnotherHostWhereVerifyFullRefusesIt() throws Exception {
        try (Router r = router(RouterConfig.ServerTls.VERIFY_CA, nameAuthority, signedForName)) {
            assertServerSideEncrypted(r, true);
        }
        try (Router r = router(RouterConfig.ServerTls.VERIFY_FULL, nameAuthority, signedForName)) {
            assertRefusedAsConnectionFailure(r, "TLS handshake failed");
        }
    }

    /** {@code authority}'s revocation list naming {@code revoked}, copied to its own file under {@code dir}. */
    static Path revocationList(io.meridian.lab.tls.LocalAuthority authority, Path to, String... revoked) throws Exception {
        return Files.copy(authority.revocationList(1, revoked), to, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aRevocationListRefusesTheCertificatesItNamesAndOnlyThose() throws Exception {
        Path none = revocationList(signedForIp.authority, dir.resolve("none.crl"));
        try (Router r = router(RouterConfig.ServerTls.VERIFY_FULL, ipAuthority, none, signedForIp)) {
            assertServerSideEncrypted(r, true);
        }
        Path revoked = revocationList(signedForIp.authority, dir.resolve("revoked.crl"), "server");
        for (RouterConfig.ServerTls mode : new RouterConfig.ServerTls[] {RouterConfig.ServerTls.VERIFY_CA, RouterConfig.ServerTls.VERIFY_FULL}) {
            try (Router r = router(mode, ipAuthority, revoked, signedForIp)) {
                assertRefusedAsConnectionFailure(r, "TLS handshake failed");
            }
        }
        // Only another authority's list: this server's issuer has none, so its status is unknown (libpq refuses too).
        Path foreign = revocationList(signedForName.authority, dir.resolve("foreign.crl"));
        try (Router r = router(RouterConfig.ServerTls.VERIFY_FULL, ipAuthority, foreign, signedForIp)) {
            assertRefusedAsConnectionFailure(r, "TLS handshake failed");
        }
    }

    @Test
    void aReloadReadsTheRevocationListAgainAndOpenConnectionsStay() throws Exception {
        Path crl = revocationList(signedForIp.authority, dir.resolve("router.crl"));
        List<Integer> ports = FreePorts.allocate(3);
        Path file = dir.resolve("router.yml");
        Files.writeString(file, RouterReloadTest.yaml(ports, "1GB", "leader")
                + "tls: {server_mode: verify-full, server_root_cert: '" + ipAuthority + "', server_crl: '" + crl + "'}\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        ClusterView view = new ClusterView();
        try (Router r = Router.start(RouterConfigLoader.load(file), view)) {
            view.apply(cluster(1, "p", member("p", "paris", Role.PRIMARY, signedForIp.port)));
            try (Connection open = PgServerConnections.open(r.rwAddress().getPort(), null)) {
                assertThat(encrypted(open)).isTrue();
                // The authority revokes the server's certificate; the operator drops the new list in place.
                revocationList(signedForIp.authority, crl, "server");
                assertThat(r.reload()).as("the file's settings did not change").isEmpty();
                assertRefusedAsConnectionFailure(r, "TLS handshake failed");
                assertThat(encrypted(open)).as("a connection opened before the reload").isTrue();
            }
        }
    }

    @Test
    void verifyModesRefuseAServerWithoutTls() throws Exception {
        try (Router r = router(RouterConfig.ServerTls.VERIFY_FULL, ipAuthority, plain)) {
            assertThatThrownBy(() -> PgServerConnections.open(r.rwAddress().getPort(), null)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("does not accept TLS and tls.server_mode is verify-full");
        }
    }

    @Test
    void disableMeetsTheServersOwnRefusal() throws Exception {
        try (Router r = router(RouterConfig.ServerTls.DISABLE, tlsOnly)) {
            assertThatThrownBy(() -> PgServerConnections.open(r.rwAddress().getPort(), null)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("no encryption");
        }
    }
}
