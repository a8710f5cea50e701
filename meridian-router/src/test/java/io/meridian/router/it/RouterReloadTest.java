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
import io.meridian.router.config.RouterConfigLoader;
import io.meridian.testkit.PgServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /reload changes the read policy for new connections while open ones carry on. */
class RouterReloadTest {

    @TempDir
    Path dir;

    static String yaml(List<Integer> ports, String maxLag, String fallback) {
        return yaml(ports, maxLag, fallback, "postgres", PgServer.PASSWORD);
    }

    static String yaml(List<Integer> ports, String maxLag, String fallback, String monitorUser, String monitorPassword) {
        return String.join("\n", "cluster: test", "region: paris", "name: router-reload",
                "etcd: {endpoints: ['http://127.0.0.1:2379']}",
                "listen: {rw: '127.0.0.1:" + ports.get(0) + "', ro: '127.0.0.1:" + ports.get(1) + "', http: '127.0.0.1:" + ports.get(2) + "'}",
                "reads: {max_lag: '" + maxLag + "', fallback: " + fallback + "}",
                "monitor: {username: " + monitorUser + ", password: " + monitorPassword + ", interval: 0.1, timeout: 1}",
                "leader: {stale_after: 30}", "");
    }

    static HttpResponse<String> post(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void reloadChangesMaxLagAndFallbackWithoutDroppingConnections() throws Exception {
        List<Integer> ports = FreePorts.allocate(3);
        Path file = dir.resolve("router.yml");
        Files.writeString(file, yaml(ports, "1GB", "leader"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        try (PgServer primary = PgServer.primary(); PgServer standby = PgServer.standbyOf(primary)) {
            ClusterView view = new ClusterView();
            try (Router router = Router.start(RouterConfigLoader.load(file), view)) {
                view.apply(cluster(1, "p", member("p", "paris", Role.PRIMARY, primary.port), member("s", "paris", Role.REPLICA, standby.port)));
                await().atMost(Duration.ofSeconds(10)).until(() -> router.lag().lag("s").fresh());
                int rwPort = router.rwAddress().getPort();
                int roPort = router.roAddress().getPort();
                try (Connection rw = PgServerConnections.open(rwPort, null); Connection ro = PgServerConnections.open(roPort, null)) {
                    assertThat(RouterPostgresTest.serverPort(ro)).isEqualTo(standby.port);
                    standby.execute("SELECT pg_wal_replay_pause()");
                    primary.execute("CREATE TABLE filler AS SELECT g FROM generate_series(1, 1000) g");
                    await().atMost(Duration.ofSeconds(10)).until(() -> router.lag().lag("s").lagBytes() > 0);

                    Files.writeString(file, yaml(ports, "1B", "refuse"));
                    HttpResponse<String> r = post(ports.get(2), "/reload");
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    assertThat(r.body()).contains("reads.max_lag").contains("reads.fallback");
                    assertThatThrownBy(() -> PgServerConnections.open(roPort, null)).isInstanceOf(SQLException.class)
                            .hasMessageContaining("no replica is within max_lag 1B")
                            .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57P03"));
                    assertThat(RouterPostgresTest.serverPort(rw)).as("read-write session kept").isEqualTo(primary.port);
                    assertThat(RouterPostgresTest.serverPort(ro)).as("read-only session kept").isEqualTo(standby.port);

                    // A setting bound to a socket asks for a restart: refused, nothing changes.
                    Files.writeString(file, yaml(List.of(ports.get(0) + 1, ports.get(1), ports.get(2)), "1GB", "leader"));
                    r = post(ports.get(2), "/reload");
                    assertThat(r.statusCode()).isEqualTo(400);
                    assertThat(r.body()).contains("listen.rw").contains("cannot change without a restart");
                    assertThat(router.config().reads().maxLag().toString()).isEqualTo("1B");
                    assertThat(RouterPostgresTest.serverPort(rw)).isEqualTo(primary.port);
                } finally {
                    standby.execute("SELECT pg_wal_replay_resume()");
                }
            }
        }
    }

    @Test
    void reloadTakesANewMonitorPasswordWithoutARestart() throws Exception {
        List<Integer> ports = FreePorts.allocate(3);
        Path file = dir.resolve("router.yml");
        Files.writeString(file, yaml(ports, "1GB", "leader", "probe", "first-secret"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        try (PgServer primary = PgServer.primary()) {
            primary.execute("CREATE ROLE probe LOGIN PASSWORD 'first-secret' IN ROLE pg_monitor");
            ClusterView view = new ClusterView();
            try (Router router = Router.start(RouterConfigLoader.load(file), view)) {
                view.apply(cluster(1, "p", member("p", "paris", Role.PRIMARY, primary.port)));
                await().atMost(Duration.ofSeconds(10)).until(() -> router.lag().lag("p").fresh());
                // The password is rotated on the server and the probe's session ends: its figures go stale.
                primary.execute("ALTER ROLE probe PASSWORD 'second-secret'");
                primary.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'probe'");
                await().atMost(Duration.ofSeconds(10)).until(() -> !router.lag().lag("p").fresh());

                Files.writeString(file, yaml(ports, "1GB", "leader", "probe", "second-secret"));
                HttpResponse<String> r = post(ports.get(2), "/reload");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).contains("monitor").doesNotContain("secret");
                await().atMost(Duration.ofSeconds(10)).until(() -> router.lag().lag("p").fresh());
            }
        }
    }
}
