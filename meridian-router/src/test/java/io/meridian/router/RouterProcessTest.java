package io.meridian.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.Client;
import io.meridian.core.cluster.Role;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.lab.process.FreePorts;
import io.meridian.router.it.Clusters;
import io.meridian.testkit.PgServer;
import io.meridian.router.it.PgServerConnections;
import io.meridian.testkit.EtcdExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meridian router -c router.yml} as its own JVM, the way an operator runs it: follows etcd,
 * publishes its applied revision, reloads on SIGHUP without dropping a session, and withdraws its
 * key when stopped with SIGTERM.
 */
class RouterProcessTest {

    @RegisterExtension
    static final EtcdExtension etcd = new EtcdExtension();
    @TempDir
    Path dir;

    static String yaml(String etcd, List<Integer> ports, String maxLag) {
        return String.join("\n", "cluster: test", "region: paris", "name: router-process",
                "etcd: {endpoints: ['" + etcd + "']}",
                "listen: {rw: '127.0.0.1:" + ports.get(0) + "', ro: '127.0.0.1:" + ports.get(1) + "', http: '127.0.0.1:" + ports.get(2) + "'}",
                "reads: {max_lag: '" + maxLag + "'}",
                "monitor: {username: postgres, password: " + PgServer.PASSWORD + ", interval: 0.2, timeout: 1}",
                "leader: {stale_after: 5}", "");
    }

    static String get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void runsFromItsFileReloadsOnHangupAndWithdrawsOnStop() throws Exception {
        try (PgServer pg = PgServer.primary()) {
            List<String> endpoints = etcd.endpoints();
            List<Integer> ports = FreePorts.allocate(3);
            Path file = dir.resolve("router.yml");
            Files.writeString(file, yaml(etcd.member(0).clientUrl(), ports, "1GB"));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            // A long lease and a patient first call: nothing renews this stand-in agent, and a busy
            // machine can take many seconds to start the router's JVM.
            try (EtcdDcs agent = EtcdDcs.connect(endpoints, "/meridian", "test", "a", 600, 10);
                 Client client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build()) {
                agent.touchMember(Clusters.member("a", "paris", Role.PRIMARY, pg.port));
                assertThat(agent.acquireLeader("a")).isTrue();
                Process router = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), RouterMain.class.getName(), "-c", file.toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("router.log").toFile()).start();
                try {
                    int http = ports.get(2);
                    await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                            .until(() -> RouterEtcdTest.writeLandsOn(ports.get(0)) == pg.port);
                    ObjectMapper json = new ObjectMapper();
                    assertThat(json.readTree(get(http, "/status")).path("max_lag").asText()).isEqualTo("1073741824B");
                    String key = "/meridian/test/routers/router-process";
                    await().atMost(Duration.ofSeconds(10)).until(() -> RouterEtcdTest.published(client, key).path("leader").asText().equals("a"));

                    try (Connection kept = PgServerConnections.open(ports.get(0), null)) {
                        Files.writeString(file, yaml(etcd.member(0).clientUrl(), ports, "2MB"));
                        if (RouterCommand.hangupIgnored()) {
                            // Run under nohup: the router inherits SIGHUP as ignored and says so in its log.
                            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + http + "/reload")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                        } else {
                            Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(router.pid())).inheritIO().start();
                            assertThat(hup.waitFor()).isZero();
                        }
                        try {
                            // Generous: on a loaded 2-core machine the signal thread can wait its turn.
                            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                                    .until(() -> json.readTree(get(http, "/status")).path("max_lag").asText().equals("2097152B"));
                        } catch (org.awaitility.core.ConditionTimeoutException e) {
                            throw new AssertionError("SIGHUP did not reload the router; its log:\n"
                                    + Files.readString(dir.resolve("router.log")), e);
                        }
                        assertThat(kept.isValid(2)).as("session kept across the reload").isTrue();
                    }

                    router.destroy();
                    assertThat(router.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
                    assertThat(RouterEtcdTest.published(client, key).isMissingNode()).as("key withdrawn at stop").isTrue();
                } finally {
                    router.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }
}
