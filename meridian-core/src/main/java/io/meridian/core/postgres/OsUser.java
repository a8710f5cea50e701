package io.meridian.core.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The system user PostgreSQL runs as. PostgreSQL refuses to run as root, so when the agent is root
 * every PostgreSQL binary is run through {@code runuser} and every file the agent writes for
 * PostgreSQL is handed to that user; when the agent is not root, it already is that user.
 */
final class OsUser {

    private final String name;
    private final boolean root;

    OsUser(String name) {
        this.name = name;
        this.root = effectiveUid() == 0;
    }

    String name() {
        return name;
    }

    /** The command line that runs {@code argv} as this user. */
    List<String> wrap(List<String> argv) {
        if (!root) {
            return argv;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", name, "--"));
        wrapped.addAll(argv);
        return wrapped;
    }

    /** Gives {@code path} to this user (no-op unless root). */
    void own(Path path) throws IOException {
        if (!root) {
            return;
        }
        UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(path, users.lookupPrincipalByName(name));
        try {
            Files.getFileAttributeView(path, java.nio.file.attribute.PosixFileAttributeView.class)
                    .setGroup(users.lookupPrincipalByGroupName(name));
        } catch (IOException noSuchGroup) {
            // The group only matters for 0640-style files; Meridian writes 0600/0700, so owner is enough.
        }
    }

    /** Creates {@code dir} (and missing parents) with mode 0700, owned by this user. */
    void createPrivateDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        own(dir);
    }

    /**
     * Writes {@code text} atomically (temp file + rename) with {@code mode}, owned by this user, so
     * PostgreSQL never reads a half-written file and a passfile is never briefly world-readable.
     */
    void writeFile(Path file, String text, String mode) throws IOException {
        Set<PosixFilePermission> perms = PosixFilePermissions.fromString(mode);
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(perms));
        try {
            Files.writeString(tmp, text);
            Files.setPosixFilePermissions(tmp, perms); // createFile's mode is filtered by the umask
            own(tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The effective uid is the owner of /proc/self; no native call needed. */
    private static int effectiveUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name")) ? 0 : -1;
        }
    }
}
