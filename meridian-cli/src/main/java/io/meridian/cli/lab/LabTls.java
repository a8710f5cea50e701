package io.meridian.cli.lab;

import io.meridian.cli.CliException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code lab up --tls}: a certificate authority made for the lab, and one certificate per node
 * naming 127.0.0.1 (every lab address is loopback, WAN relays included), made with openssl. The
 * nodes use them for replication, pg_rewind and their REST APIs, the router to verify the servers.
 * Keys are PKCS#8 PEM, owned by {@code osUser} with mode 0600, as PostgreSQL requires.
 */
final class LabTls {

    static final String AUTHORITY = "root.crt";

    private LabTls() {
    }

    /** The certificate name of a region's etcd member. */
    static String etcdMember(String region) {
        return "etcd-" + region;
    }

    /** The router's certificate name (its etcd client certificate). */
    static final String ROUTER = "router";

    static Path authority(Path tlsDir) {
        return tlsDir.resolve(AUTHORITY);
    }

    static Path certificate(Path tlsDir, String node) {
        return tlsDir.resolve(node + ".crt");
    }

    static Path key(Path tlsDir, String node) {
        return tlsDir.resolve(node + ".key");
    }

    /**
     * Makes the authority and a certificate for each of {@code nodes} (their keys owned by
     * {@code osUser}), and one for each of {@code others} (etcd members, the router: keys stay the
     * caller's) under {@code tlsDir}.
     */
    static void create(Path tlsDir, List<String> nodes, List<String> others, String osUser) {
        try {
            Files.createDirectories(tlsDir);
            Files.setPosixFilePermissions(tlsDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path caKey = tlsDir.resolve("root.key");
            openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(),
                    "-out", authority(tlsDir).toString(), "-days", "30", "-subj", "/CN=meridian lab authority");
            Files.setPosixFilePermissions(caKey, PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(authority(tlsDir), PosixFilePermissions.fromString("rw-r--r--"));
            List<String> all = new ArrayList<>(nodes);
            all.addAll(others);
            for (String node : all) {
                Path ext = tlsDir.resolve(node + ".ext");
                Files.writeString(ext, "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
                Path csr = tlsDir.resolve(node + ".csr");
                openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key(tlsDir, node).toString(), "-out", csr.toString(),
                        "-subj", "/CN=" + node);
                openssl("x509", "-req", "-in", csr.toString(), "-CA", authority(tlsDir).toString(), "-CAkey", caKey.toString(),
                        "-CAcreateserial", "-days", "30", "-extfile", ext.toString(), "-out", certificate(tlsDir, node).toString());
                Files.setPosixFilePermissions(certificate(tlsDir, node), PosixFilePermissions.fromString("rw-r--r--"));
                Files.setPosixFilePermissions(key(tlsDir, node), PosixFilePermissions.fromString("rw-------"));
                if (nodes.contains(node) && !osUser.equals(System.getProperty("user.name"))) {
                    run(List.of("chown", osUser, key(tlsDir, node).toString()));
                }
            }
        } catch (IOException e) {
            throw new CliException("lab up --tls: " + e.getMessage(), e);
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
