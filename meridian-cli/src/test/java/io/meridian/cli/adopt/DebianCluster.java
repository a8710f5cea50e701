package io.meridian.cli.adopt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A standalone cluster made as an operator makes one on Debian ({@code pg_createcluster}, config in
 * /etc/postgresql/15/NAME, started by {@code pg_ctlcluster}), with its data and socket under a
 * temp folder, on a free port. Needs root; {@link #close()} drops it.
 */
final class DebianCluster implements AutoCloseable {

    final String name;
    final Path home;
    final Path data;
    final Path socketDir;
    final Path configDir;
    final int port;

    DebianCluster(Path home, int port) throws IOException, InterruptedException {
        this.name = "adopt" + Long.toHexString(System.nanoTime() & 0xffffffL);
        this.home = home;
        this.data = home.resolve("data");
        this.socketDir = home.resolve("run");
        this.configDir = Path.of("/etc/postgresql/15", name);
        this.port = port;
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        run(List.of("pg_createcluster", "15", name, "-d", data.toString(), "-p", Integer.toString(port),
                "-s", socketDir.toString(), "--start"));
    }

    /** Runs SQL as postgres through the Unix socket (Debian's peer rule), from a file rather than the command line. */
    void psql(String sql) throws IOException, InterruptedException {
        Path file = home.resolve("setup.sql");
        Files.writeString(file, sql);
        run(List.of("chown", "postgres", file.toString()));
        try {
            run(List.of("runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    "-h", socketDir.toString(), "-p", Integer.toString(port), "-d", "postgres", "-f", file.toString()));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    }

    static void run(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(argv)).redirectErrorStream(true).directory(new java.io.File("/")).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " failed: " + out);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run(List.of("pg_dropcluster", "--stop", "15", name));
    }
}
