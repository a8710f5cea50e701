package io.meridian.lab.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A certificate authority in a folder, made with openssl: {@code <name>.crt} and {@code <name>.key}
 * for the authority and for each certificate it issues, keys PKCS#8 PEM and mode 0600. For labs
 * and tests, where nothing else issues certificates; production clusters bring their own.
 */
public final class LocalAuthority {

    private final Path dir;
    private final String name;

    private LocalAuthority(Path dir, String name) {
        this.dir = dir;
        this.name = name;
    }

    /** Makes the authority {@code name} in {@code dir} (created if needed, left world-readable). */
    public static LocalAuthority create(Path dir, String name, int days) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        LocalAuthority ca = new LocalAuthority(dir, name);
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca.key(name).toString(),
                "-out", ca.certificate(name).toString(), "-days", Integer.toString(days), "-subj", "/CN=" + name);
        ca.protect(name, null);
        return ca;
    }

    /** The authority's certificate, which clients and servers trust. */
    public Path certificate() {
        return certificate(name);
    }

    public Path certificate(String holder) {
        return certificate(dir, holder);
    }

    public Path key(String holder) {
        return key(dir, holder);
    }

    /** Where an authority in {@code dir} keeps {@code holder}'s certificate. */
    public static Path certificate(Path dir, String holder) {
        return dir.resolve(holder + ".crt");
    }

    /** Where an authority in {@code dir} keeps {@code holder}'s key. */
    public static Path key(Path dir, String holder) {
        return dir.resolve(holder + ".key");
    }

    /**
     * Issues {@code holder}'s certificate, good for servers and clients, naming {@code subjectAltName}
     * (e.g. {@code IP:127.0.0.1}); its key is handed to {@code owner} (an OS user) when not null.
     */
    public Path issue(String holder, String subjectAltName, String owner, int days) throws IOException {
        Path ext = dir.resolve(holder + ".ext");
        Path csr = dir.resolve(holder + ".csr");
        Files.writeString(ext, "subjectAltName=" + subjectAltName + "\nextendedKeyUsage=serverAuth,clientAuth\n");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key(holder).toString(), "-out", csr.toString(),
                "-subj", "/CN=" + holder);
        openssl("x509", "-req", "-in", csr.toString(), "-CA", certificate().toString(), "-CAkey", key(name).toString(),
                "-CAcreateserial", "-days", Integer.toString(days), "-extfile", ext.toString(),
                "-out", certificate(holder).toString());
        protect(holder, owner);
        return certificate(holder);
    }

    /**
     * Writes the authority's certificate revocation list, {@code <name>.crl} (PEM), naming the
     * certificates of {@code revoked} holders (none: an empty list), good for {@code days}. Each
     * call writes a whole new list.
     */
    public Path revocationList(int days, String... revoked) throws IOException {
        Path index = dir.resolve(name + "-index.txt");
        Path number = dir.resolve(name + "-crlnumber");
        Path config = dir.resolve(name + "-ca.cnf");
        Files.writeString(index, "");
        Files.writeString(number, "1000\n");
        Files.writeString(config, String.join("\n", "[ ca ]", "default_ca = local", "[ local ]",
                "database = " + index, "crlnumber = " + number, "default_md = sha256",
                "default_crl_days = " + days, ""));
        for (String holder : revoked) {
            openssl("ca", "-config", config.toString(), "-keyfile", key(name).toString(), "-cert", certificate().toString(),
                    "-revoke", certificate(holder).toString());
        }
        Path crl = dir.resolve(name + ".crl");
        openssl("ca", "-config", config.toString(), "-keyfile", key(name).toString(), "-cert", certificate().toString(),
                "-gencrl", "-out", crl.toString());
        Files.setPosixFilePermissions(crl, PosixFilePermissions.fromString("rw-r--r--"));
        return crl;
    }

    private void protect(String holder, String owner) throws IOException {
        Files.setPosixFilePermissions(certificate(holder), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(key(holder), PosixFilePermissions.fromString("rw-------"));
        if (owner != null && !owner.equals(System.getProperty("user.name"))) {
            run(List.of("chown", owner, key(holder).toString()));
        }
    }

    private static void openssl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        run(cmd);
    }

    private static void run(List<String> cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
    }
}
