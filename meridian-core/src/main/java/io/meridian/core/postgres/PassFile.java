package io.meridian.core.postgres;

import io.meridian.core.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The node's pgpass: the replication and superuser passwords for any host, mode 0600 and owned by
 * the OS user (libpq ignores a passfile others can read). The WAL receiver reads it through
 * {@code passfile=} in primary_conninfo; pg_basebackup and pg_rewind, run as the same OS user,
 * read it through PGPASSFILE or {@code passfile=}. No password ever reaches a command line.
 */
final class PassFile {

    private PassFile() {
    }

    static void write(Path file, OsUser owner, NodeConfig.Credentials... roles) throws PostgresException {
        StringBuilder sb = new StringBuilder();
        for (NodeConfig.Credentials c : roles) {
            sb.append("*:*:*:").append(escape(c.username())).append(':').append(escape(c.password())).append('\n');
        }
        try {
            owner.writeFile(file, sb.toString(), "rw-------");
        } catch (IOException e) {
            throw new PostgresException("cannot write passfile " + file + ": " + e.getMessage(), e);
        }
    }

    /** pgpass fields escape ':' and '\' with a backslash. */
    static String escape(String field) {
        return field.replace("\\", "\\\\").replace(":", "\\:");
    }
}
