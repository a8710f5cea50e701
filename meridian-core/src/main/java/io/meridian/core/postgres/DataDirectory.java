package io.meridian.core.postgres;

import io.meridian.core.config.NodeConfig;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** File-system work on one node's folders, done as root on the OS user's behalf. */
final class DataDirectory {

    private final NodeFiles files;
    private final OsUser os;

    DataDirectory(NodeFiles files, OsUser os) {
        this.files = files;
        this.os = os;
    }

    /** Socket folder, log file and passfile beside the data directory, each owned by the OS user. */
    void prepareRuntime(NodeConfig.Credentials... roles) throws PostgresException {
        try {
            if (!Files.isDirectory(files.home())) {
                Files.createDirectories(files.home());
                os.own(files.home());
            }
            Files.createDirectories(files.socketDir());
            Files.setPosixFilePermissions(files.socketDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
            os.own(files.socketDir());
            if (!Files.exists(files.log())) {
                Files.createFile(files.log());
            }
            os.own(files.log()); // pg_ctl -l opens it as the OS user
        } catch (IOException e) {
            throw new PostgresException("prepare " + files.home() + " for PostgreSQL: " + e.getMessage(), e);
        }
        PassFile.write(files.passfile(), os, roles);
    }

    /** The data directory itself, 0700 and owned by the OS user, as PostgreSQL insists. */
    void createData() throws IOException {
        os.createPrivateDir(files.data());
    }

    void write(Path file, String text) throws IOException {
        os.writeFile(file, text, "rw-------");
    }

    /** Marks the data directory unusable until {@link #finished()}: a clone or rewind is under way. */
    void unfinished(String operation) throws IOException {
        Files.writeString(files.unfinished(), operation + "\n");
    }

    void finished() throws IOException {
        Files.deleteIfExists(files.unfinished());
    }

    boolean isUnfinished() {
        return Files.exists(files.unfinished());
    }

    /** Deletes everything inside the data directory, keeping the folder itself. */
    void empty() throws IOException {
        if (!Files.isDirectory(files.data())) {
            return;
        }
        List<Path> children;
        try (var s = Files.list(files.data())) {
            children = s.toList();
        }
        for (Path child : children) {
            deleteTree(child);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            List<Path> children;
            try (var s = Files.list(p)) {
                children = s.toList();
            }
            for (Path c : children) {
                deleteTree(c);
            }
        }
        Files.deleteIfExists(p);
    }

    /** The postmaster PID from postmaster.pid when that process is alive and is a postgres, else -1. */
    long postmasterPid() {
        try {
            List<String> lines = Files.readAllLines(files.postmasterPid());
            long pid = lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
            // After a crash the pid may have been reused by another program.
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.contains("postgres") || c.contains("postmaster")).orElse(true))
                    .map(ProcessHandle::pid).orElse(-1L);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The last {@code n} lines of the server log, for start failures (reads only its last 8 KiB). */
    String logTail(int n) {
        try (RandomAccessFile f = new RandomAccessFile(files.log().toFile(), "r")) {
            long from = Math.max(0, f.length() - 8192);
            byte[] buf = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(buf);
            List<String> lines = new String(buf, StandardCharsets.UTF_8).lines().toList();
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
