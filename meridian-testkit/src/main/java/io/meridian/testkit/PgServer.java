package io.meridian.testkit;

import io.meridian.lab.process.FreePorts;
import io.meridian.lab.tls.LocalAuthority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL 15 server for tests, run as OS user postgres (PostgreSQL refuses root): a
 * primary from initdb, or a streaming standby cloned with pg_basebackup -R. The superuser's
 * password comes from a 0600 file, never a command line; TCP logins need SCRAM.
 */
public final class PgServer implements AutoCloseable {

    public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    public static final String PASSWORD = "router-test-secret";

    public final Path dir;
    public final Path data;
    public final int port;

    private PgServer(Path dir, int port) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
    }

    public static PgServer primary() throws IOException, InterruptedException {
        PgServer pg = new PgServer(workDir(), FreePorts.allocate());
        Path pw = pg.dir.resolve("pwfile");
        Files.writeString(pw, PASSWORD + "\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        chown(pw);
        run(List.of(BIN.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", "postgres", "--pwfile=" + pw,
                "-A", "trust", "--no-sync"));
        Files.writeString(pg.data.resolve("pg_hba.conf"), String.join("\n",
                "local all all trust", "local replication all trust",
                "host all all 127.0.0.1/32 scram-sha-256", "host replication all 127.0.0.1/32 scram-sha-256", ""));
        pg.appendConf();
        pg.start();
        return pg;
    }

    public static PgServer standbyOf(PgServer primary) throws IOException, InterruptedException {
        PgServer pg = new PgServer(workDir(), FreePorts.allocate());
        run(List.of(BIN.resolve("pg_basebackup").toString(), "-h", primary.dir.toString(), "-p", Integer.toString(primary.port),
                "-U", "postgres", "-D", pg.data.toString(), "-R", "-X", "stream", "--no-sync"));
        pg.appendConf();
        pg.start();
        return pg;
    }

    private void appendConf() throws IOException {
        Files.writeString(data.resolve("postgresql.conf"), String.join("\n", "",
                "listen_addresses = '127.0.0.1'", "port = " + port, "unix_socket_directories = '" + dir + "'",
                "fsync = off", "full_page_writes = off", "max_connections = 200", "wal_level = replica",
                "hot_standby = on", "max_wal_senders = 5", "shared_buffers = 32MB", ""),
                java.nio.file.StandardOpenOption.APPEND);
    }

    /**
     * Turns TLS on with a fresh self-signed certificate and accepts TCP logins only over TLS
     * ({@code hostssl}), so a plain-text connection fails with PostgreSQL's own error.
     */
    public void requireTls() throws IOException, InterruptedException {
        Path crt = data.resolve("server.crt");
        Path key = data.resolve("server.key");
        run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", crt.toString(),
                "-days", "2", "-subj", "/CN=127.0.0.1"));
        tlsOnly();
    }

    /**
     * As {@link #requireTls()}, with a certificate signed by a certificate authority made for this
     * server alone and naming it by {@code subjectAltName} (e.g. {@code IP:127.0.0.1}).
     *
     * @return the authority's certificate (PEM), readable by anyone
     */
    /** The authority that signed this server's certificate ({@link #requireTlsSignedByCa}), or null. */
    public LocalAuthority authority;

    public Path requireTlsSignedByCa(String subjectAltName) throws IOException, InterruptedException {
        LocalAuthority ca = LocalAuthority.create(dir.resolve("ca"), "authority", 2);
        authority = ca;
        ca.issue("server", subjectAltName, "postgres", 2);
        Files.copy(ca.certificate("server"), data.resolve("server.crt"));
        Files.copy(ca.key("server"), data.resolve("server.key"));
        chown(data.resolve("server.crt"));
        chown(data.resolve("server.key"));
        Files.setPosixFilePermissions(data.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
        tlsOnly();
        return ca.certificate();
    }

    private void tlsOnly() throws IOException, InterruptedException {
        Files.writeString(data.resolve("pg_hba.conf"), String.join("\n",
                "local all all trust", "local replication all trust",
                "hostssl all all 127.0.0.1/32 scram-sha-256", ""));
        Files.writeString(data.resolve("postgresql.conf"), "\nssl = on\n", java.nio.file.StandardOpenOption.APPEND);
        run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "reload"));
    }

    public void start() throws IOException, InterruptedException {
        run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(), "-w", "start"));
    }

    public void stop() throws IOException, InterruptedException {
        if (Files.exists(data.resolve("postmaster.pid"))) {
            run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
        }
    }

    public Connection connect() throws SQLException {
        return connect("127.0.0.1", port, "");
    }

    public static Connection connect(String host, int port, String extra) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", PASSWORD);
        p.setProperty("connectTimeout", "5");
        p.setProperty("socketTimeout", "30");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres" + extra, p);
    }

    public void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Path workDir() throws IOException, InterruptedException {
        // /tmp, not a JUnit @TempDir under root's 0700 folders: postgres must traverse it.
        Path d = Files.createTempDirectory(Path.of("/tmp"), "mrpg");
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        chown(d);
        return d;
    }

    private static void chown(Path p) throws IOException, InterruptedException {
        run0(List.of("chown", "postgres:postgres", p.toString()));
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(cmd);
        run0(full);
    }

    private static void run0(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes());
        }
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
