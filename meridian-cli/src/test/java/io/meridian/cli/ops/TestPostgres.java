package io.meridian.cli.ops;

import io.meridian.lab.process.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL 15 for the CLI's tests, run as OS user postgres (PostgreSQL refuses root), with
 * password logins over TCP so the tests exercise the credentials the CLI sends. (The router's tests
 * have a fuller PgServer; the testkit is to hold one shared fixture.)
 */
final class TestPostgres implements AutoCloseable {

    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    static final String PASSWORD = "cli-test-secret";

    final Path dir;
    final int port;

    private TestPostgres(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static TestPostgres start() throws IOException, InterruptedException {
        // /tmp, not a JUnit @TempDir under root's 0700 folders: postgres must traverse it.
        Path d = Files.createTempDirectory(Path.of("/tmp"), "mrcli");
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        run(List.of("chown", "postgres:postgres", d.toString()));
        TestPostgres pg = new TestPostgres(d, FreePorts.allocate());
        Path pw = d.resolve("pwfile");
        Files.writeString(pw, PASSWORD + "\n");
        run(List.of("chown", "postgres:postgres", pw.toString()));
        Path data = d.resolve("data");
        asPostgres(List.of(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--pwfile=" + pw,
                "-A", "scram-sha-256", "--no-sync"));
        Files.writeString(data.resolve("postgresql.conf"), String.join("\n", "", "listen_addresses = '127.0.0.1'",
                "port = " + pg.port, "unix_socket_directories = '" + d + "'", "fsync = off", "shared_buffers = 16MB", ""),
                java.nio.file.StandardOpenOption.APPEND);
        asPostgres(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", d.resolve("log").toString(),
                "-w", "-t", "120", "start"));
        return pg;
    }

    @Override
    public void close() throws Exception {
        try {
            asPostgres(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "stop"));
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void asPostgres(List<String> cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(cmd);
        run(full);
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes());
        }
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
