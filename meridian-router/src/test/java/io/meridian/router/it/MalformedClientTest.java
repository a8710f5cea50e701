package io.meridian.router.it;

import static io.meridian.router.it.Clusters.cluster;
import static io.meridian.router.it.Clusters.member;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.cluster.Role;
import io.meridian.router.ClusterView;
import io.meridian.router.Router;
import io.meridian.router.config.RouterConfig;
import io.meridian.testkit.PgServer;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken clients against a router in front of a real PostgreSQL: each gets an error or
 * a closed socket, while an established connection and new ones keep working. Also client TLS.
 */
class MalformedClientTest {

    static PgServer primary;
    static Router router;
    static Router tlsRouter;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        primary = PgServer.primary();
        router = Router.start(Clusters.config("paris", Duration.ofSeconds(30), null), new ClusterView());
        router.view().apply(cluster(1, "p", member("p", "paris", Role.PRIMARY, primary.port)));
        Path cert = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        tlsRouter = Router.start(Clusters.config("paris", Duration.ofSeconds(30), new RouterConfig.Tls(cert, key)), new ClusterView());
        tlsRouter.view().apply(cluster(1, "p", member("p", "paris", Role.PRIMARY, primary.port)));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {tlsRouter, router, primary}) {
            if (c != null) {
                c.close();
            }
        }
    }

    /** Sends bytes, half-closes, and returns everything the router answered before closing. */
    static byte[] exchange(int port, byte[] bytes, boolean halfClose) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(8000);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            if (halfClose) {
                s.shutdownOutput();
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("router kept the connection open 8 s after " + bytes.length + " bytes", e);
            } catch (IOException reset) {
                // A reset is a close too.
            }
            return out.toByteArray();
        }
    }

    static byte[] startup(String... pairs) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(body);
        d.writeInt(196608);
        for (String s : pairs) {
            d.write(s.getBytes(StandardCharsets.UTF_8));
            d.write(0);
        }
        d.write(0);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        new DataOutputStream(all).writeInt(body.size() + 4);
        body.writeTo(all);
        return all.toByteArray();
    }

    static String error(byte[] answer) {
        assertThat(answer).isNotEmpty();
        assertThat((char) answer[0]).isEqualTo('E');
        return new String(answer, StandardCharsets.ISO_8859_1);
    }

    @Test
    void oversizedLengthGetsProtocolViolation() throws Exception {
        String e = error(exchange(router.rwAddress().getPort(), new byte[] {0x7f, 0, 0, 0, 0, 3, 0, 0}, false));
        assertThat(e).contains("08P01").contains("invalid length of startup packet");
    }

    @Test
    void garbageParametersAndUnknownOptionsAreRefused() throws Exception {
        byte[] noTerminator = startup("user", "postgres");
        noTerminator[noTerminator.length - 1] = 'x';
        assertThat(error(exchange(router.rwAddress().getPort(), noTerminator, false))).contains("08P01");
        assertThat(error(exchange(router.roAddress().getPort(), startup("user", "postgres", "options", "-c meridian.max_lag=fast"), false)))
                .contains("22023").contains("meridian.max_lag");
        assertThat(error(exchange(router.roAddress().getPort(), startup("user", "postgres", "meridian.maxlag", "1s"), false)))
                .contains("unrecognized router option");
        assertThat(error(exchange(router.rwAddress().getPort(), new byte[] {0, 0, 0, 8, 0, 2, 0, 0}, false)))
                .contains("unsupported frontend protocol");
    }

    @Test
    void truncatedAndSlowClientsAreCutOff() throws Exception {
        assertThat(exchange(router.rwAddress().getPort(), new byte[] {0, 0, 0, 100, 0, 3}, true)).isEmpty();
        long t0 = System.nanoTime();
        String e = error(exchange(router.rwAddress().getPort(), new byte[] {0, 0}, false));
        assertThat(e).contains("no startup packet within");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    }

    @Test
    void fuzzedStartupPacketsCloseOnlyTheirOwnConnection() throws Exception {
        try (Connection established = PgServerConnections.open(router.rwAddress().getPort(), null)) {
            Random random = new Random(20240611L);
            byte[] valid = startup("user", "postgres", "database", "postgres", "options", "-c meridian.max_lag=1MB");
            for (int i = 0; i < 300; i++) {
                byte[] bytes;
                if (i % 2 == 0) {
                    bytes = new byte[random.nextInt(64)];
                    random.nextBytes(bytes);
                    if (i % 4 == 0 && bytes.length >= 8) {
                        // A plausible length word makes the parser, not the bound check, see the garbage.
                        bytes[0] = 0;
                        bytes[1] = 0;
                        bytes[2] = 0;
                        bytes[3] = (byte) bytes.length;
                    }
                } else {
                    bytes = valid.clone();
                    for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                        bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                int port = i % 3 == 0 ? router.roAddress().getPort() : router.rwAddress().getPort();
                exchange(port, bytes, true); // must end in a close, error or not
            }
            try (Statement s = established.createStatement(); ResultSet rs = s.executeQuery("SELECT 41 + 1")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        }
        try (Connection fresh = PgServerConnections.open(router.roAddress().getPort(), null)) {
            assertThat(fresh.isValid(2)).isTrue();
        }
    }

    @Test
    void clientTlsIsTerminatedByTheRouter() throws Exception {
        Properties tls = new Properties();
        tls.setProperty("sslmode", "require");
        try (Connection c = PgServerConnections.open(tlsRouter.rwAddress().getPort(), tls);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
        // Without TLS configured the router answers 'N' and sslmode=require must fail.
        assertThat(exchange(router.rwAddress().getPort(), new byte[] {0, 0, 0, 8, 0x04, (byte) 0xd2, 0x16, 0x2f}, true))
                .containsExactly('N');
        // psql too, with the password in a 0600 passfile rather than on its command line.
        Path pass = Files.createTempFile(tmp, "pgpass", "");
        Files.writeString(pass, "*:*:*:postgres:" + PgServer.PASSWORD + "\n");
        ProcessBuilder pb = new ProcessBuilder(List.of("psql", "-X", "-A", "-t", "-c", "select 7",
                "host=127.0.0.1 port=" + tlsRouter.rwAddress().getPort() + " user=postgres dbname=postgres sslmode=require"))
                .redirectErrorStream(true);
        pb.environment().put("PGPASSFILE", pass.toString());
        Files.setPosixFilePermissions(pass, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Process ok = pb.start();
        String out = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ok.waitFor()).as(out).isZero();
        assertThat(out.trim()).isEqualTo("7");
    }
}
