package io.meridian.lab.cli;

import io.meridian.core.console.CliException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Comparator;
import java.util.stream.Stream;

/** The lab's folder: refused when it holds something else, reachable by the postgres OS user. */
final class LabFolder {

    private LabFolder() {
    }

    /** Creates {@code dir}, refusing to reuse a folder that holds another lab or anything else. */
    static void create(Path dir) {
        if (Files.exists(LabState.file(dir))) {
            LabState old = LabState.read(dir);
            boolean running = old.nodes().stream().anyMatch(n -> LabProcesses.isAlive(n.agentPid()))
                    || old.etcd().members().stream().anyMatch(m -> LabProcesses.isAlive(m.pid()));
            throw new CliException((running ? "a lab is already running in " : "a stopped lab is left in ") + dir
                    + ": run 'meridian lab down" + (dir.equals(LabState.defaultDir()) ? "" : " --dir " + dir)
                    + "' first, or choose another --dir");
        }
        try {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    if (s.findAny().isPresent()) {
                        throw new CliException(dir + " exists and is not empty: remove it or choose another --dir");
                    }
                }
            }
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new CliException(dir + ": cannot be created: " + e.getMessage(), e);
        }
        if (LabProcesses.isRoot()) {
            requireTraversable(dir);
        }
    }

    /** PostgreSQL runs as postgres, which must be able to walk down to its data directory. */
    private static void requireTraversable(Path dir) {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            try {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new CliException("the postgres user cannot reach " + dir + " (" + p
                            + " is not searchable by others): choose a --dir under /tmp");
                }
            } catch (IOException e) {
                throw new CliException(p + ": cannot read its permissions: " + e.getMessage(), e);
            }
        }
    }

    /** A node's folder (0755) and its empty data directory (0700, owned by the PostgreSQL user). */
    static void createNodeDirs(Path nodeDir, Path dataDir, String osUser) {
        try {
            Files.createDirectories(nodeDir);
            Files.setPosixFilePermissions(nodeDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createDirectories(dataDir);
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
            if (LabProcesses.isRoot()) {
                UserPrincipal user = dataDir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(osUser);
                Files.setOwner(dataDir, user);
            }
        } catch (IOException e) {
            throw new CliException(dataDir + ": cannot be prepared for PostgreSQL (user " + osUser + "): " + e.getMessage(), e);
        }
    }

    /** Removes the whole lab folder (after every process of the lab has stopped). */
    static void remove(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new CliException(dir + ": cannot be removed: " + e.getMessage(), e);
        }
    }
}
