package io.meridian.cli.adopt;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node of a real Patroni 3 cluster (Debian's package) on loopback, run as postgres, its
 * PostgreSQL in {@code home/NAME/data}. Stopping the agent sends it SIGTERM, as
 * {@code systemctl stop patroni} does.
 */
final class PatroniNode implements AutoCloseable {

    static final Path PATRONI = Path.of("/usr/bin/patroni");
    static final String SUPERUSER_PASSWORD = "patroni-test-superuser";

    final String name;
    final Path file;
    final Path data;
    final int pgPort;
    final int restPort;
    private Process process;

    PatroniNode(Path home, String name, String etcd, int pgPort, int restPort) throws IOException {
        this.name = name;
        this.file = home.resolve(name + ".patroni.yml");
        this.data = home.resolve(name).resolve("data");
        this.pgPort = pgPort;
        this.restPort = restPort;
        Files.writeString(file, """
                scope: legacy
                name: %1$s
                restapi:
                  listen: 127.0.0.1:%3$d
                  connect_address: 127.0.0.1:%3$d
                  authentication: {username: admin, password: patroni-test-rest}
                etcd3:
                  host: %4$s
                bootstrap:
                  dcs:
                    ttl: 20
                    loop_wait: 2
                    retry_timeout: 5
                    maximum_lag_on_failover: 1048576
                    postgresql:
                      use_pg_rewind: true
                      use_slots: true
                      parameters: {wal_log_hints: "on"}
                  initdb: [{encoding: UTF8}, data-checksums]
                postgresql:
                  listen: 127.0.0.1:%2$d
                  connect_address: 127.0.0.1:%2$d
                  data_dir: %5$s
                  bin_dir: /usr/lib/postgresql/15/bin
                  pgpass: %6$s
                  authentication:
                    superuser: {username: postgres, password: %7$s}
                    replication: {username: replicator, password: patroni-test-replication}
                  pg_hba:
                    - local all all peer
                    - host all all 127.0.0.1/32 scram-sha-256
                    - host replication replicator 127.0.0.1/32 scram-sha-256
                  parameters: {unix_socket_directories: %8$s}
                """.formatted(name, pgPort, restPort, etcd.replaceFirst("^https?://", ""), data,
                home.resolve(name + ".patroni.pgpass"), SUPERUSER_PASSWORD, home));
    }

    void start() throws IOException {
        process = new ProcessBuilder("runuser", "-u", "postgres", "--", PATRONI.toString(), file.toString())
                .redirectErrorStream(true).redirectOutput(file.resolveSibling(name + ".patroni.log").toFile())
                .directory(new java.io.File("/")).start();
    }

    /** HTTP status of Patroni's health endpoint, e.g. /primary or /replica; -1 when it does not answer. */
    int health(String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** SIGTERM to Patroni itself (runuser's child), then waits for it to exit. */
    void stopAgent() throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = process.children().toList();
        children.forEach(ProcessHandle::destroy);
        if (children.isEmpty()) {
            process.destroy();
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        process = null;
    }

    long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    }

    String address() {
        return "127.0.0.1:" + pgPort;
    }

    @Override
    public void close() throws Exception {
        stopAgent();
        if (Files.exists(data.resolve("postmaster.pid"))) {
            DebianCluster.run(List.of("runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "stop",
                    "-D", data.toString(), "-m", "immediate"));
        }
    }
}
