package io.meridian.core.postgres;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Where one node's files live. Only the cluster itself is inside the data directory; the server
 * log, the passfile and the socket folder sit beside it, named after the node, so pg_basebackup
 * and pg_rewind never copy one node's log or secrets into another and two nodes may share a parent.
 *
 * @param data      the data directory
 * @param log       server log ({@code pg_ctl -l}), beside the data directory
 * @param passfile  0600 pgpass owned by the OS user, read by the WAL receiver and the tools
 * @param socketDir unix socket folder owned by the OS user
 */
record NodeFiles(Path data, Path log, Path passfile, Path socketDir) {

    /** sockaddr_un.sun_path is 108 bytes with the terminating NUL; PostgreSQL appends /.s.PGSQL.<port>. */
    static final int MAX_SOCKET_PATH = 107;

    static NodeFiles of(Path dataDir, String nodeName, int port) {
        Path data = dataDir.toAbsolutePath().normalize();
        Path home = data.getParent() == null ? data : data.getParent();
        Path socketDir = home.resolve(nodeName + ".run");
        if (socketPathLength(socketDir, port) > MAX_SOCKET_PATH) {
            // A deep data directory would make PostgreSQL refuse to start; a short fixed folder
            // derived from the data directory keeps two nodes on one host apart.
            socketDir = Path.of("/tmp", "meridian-" + Integer.toHexString(data.toString().hashCode()));
        }
        return new NodeFiles(data, home.resolve(nodeName + ".log"), home.resolve(nodeName + ".pgpass"), socketDir);
    }

    static int socketPathLength(Path dir, int port) {
        return (dir + "/.s.PGSQL." + port).getBytes(StandardCharsets.UTF_8).length;
    }

    Path home() {
        return log.getParent();
    }

    Path pgVersion() {
        return data.resolve("PG_VERSION");
    }

    Path standbySignal() {
        return data.resolve("standby.signal");
    }

    Path meridianConf() {
        return data.resolve(ConfigRenderer.CONF_FILE);
    }

    Path hbaConf() {
        return data.resolve("pg_hba.conf");
    }

    /**
     * Marker beside the data directory while a clone or rewind is under way, kept when a rewind
     * fails: its presence means the data directory is not a usable cluster, even after an agent crash.
     */
    Path unfinished() {
        return home().resolve(data.getParent() == null ? "unfinished" : data.getFileName() + ".unfinished");
    }

    Path postmasterPid() {
        return data.resolve("postmaster.pid");
    }
}
