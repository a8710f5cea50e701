package io.meridian.lab.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.meridian.core.console.CliException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a lab node's YAML file and the lab's pgpass, both mode 0600 since they hold passwords. */
public final class NodeFiles {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    /**
     * Where one node is and how it reaches the rest.
     *
     * @param etcdEndpoints  etcd client URLs as this node dials them (its own region's member first;
     *                       with --wan the others through relays)
     * @param pgConnectPort  the port others use to reach this PostgreSQL (a relay with --wan)
     * @param restConnectPort the port others use to reach this REST API
     * @param synchronousMode the cluster's synchronous_mode when this node bootstraps it
     * @param tlsDir          the lab's certificates ({@code lab up --tls}), or null
     */
    public record Spec(String cluster, String name, String region, Path dataDir, Path binDir,
                       int pgPort, int pgConnectPort, int restPort, int restConnectPort,
                       List<String> etcdEndpoints, String namespace, String synchronousMode, Path tlsDir) {
    }

    private NodeFiles() {
    }

    /** The node file's text; bootstrap.dcs keeps the default timings, which suit 250 ms regions. */
    public static String render(Spec s, LabSecrets secrets) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("cluster", s.cluster());
        root.put("name", s.name());
        root.put("region", s.region());
        Map<String, Object> etcd = new LinkedHashMap<>();
        etcd.put("endpoints", s.etcdEndpoints());
        etcd.put("namespace", s.namespace());
        if (s.tlsDir() != null) {
            etcd.put("tls", tls(s, null, null));
        }
        root.put("etcd", etcd);
        Map<String, Object> pg = new LinkedHashMap<>();
        pg.put("bin_dir", s.binDir().toString());
        pg.put("data_dir", s.dataDir().toString());
        pg.put("listen", "127.0.0.1:" + s.pgPort());
        pg.put("connect_address", "127.0.0.1:" + s.pgConnectPort());
        pg.put("os_user", "postgres");
        pg.put("superuser", credentials("postgres", secrets.superuser()));
        pg.put("replication", credentials("replicator", secrets.replication()));
        if (s.tlsDir() != null) {
            pg.put("tls", tls(s, "sslmode", "verify-full"));
        }
        root.put("postgresql", pg);
        Map<String, Object> rest = new LinkedHashMap<>();
        rest.put("listen", "127.0.0.1:" + s.restPort());
        rest.put("connect_address", "127.0.0.1:" + s.restConnectPort());
        rest.put("username", "meridian");
        rest.put("password", secrets.rest());
        if (s.tlsDir() != null) {
            rest.put("tls", tls(s, null, null));
        }
        root.put("restapi", rest);
        root.put("tags", Map.of("failover_priority", 1));
        if (!"off".equals(s.synchronousMode())) {
            root.put("bootstrap", Map.of("dcs", Map.of("synchronous_mode", s.synchronousMode())));
        }
        try {
            return "# Meridian lab node " + s.name() + " (region " + s.region() + "). Holds passwords: keep it 0600.\n"
                    + YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new CliException("cannot render the node file of " + s.name() + ": " + e.getOriginalMessage(), e);
        }
    }

    private static Map<String, Object> tls(Spec s, String extraKey, String extraValue) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("certificate", LabTls.certificate(s.tlsDir(), s.name()).toString());
        m.put("private_key", LabTls.key(s.tlsDir(), s.name()).toString());
        m.put("ca_file", LabTls.authority(s.tlsDir()).toString());
        if (extraKey != null) {
            m.put(extraKey, extraValue);
        }
        return m;
    }

    private static Map<String, Object> credentials(String user, String password) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("username", user);
        m.put("password", password);
        return m;
    }

    /** libpq's passfile: one line per node, host:port:database:user:password. */
    public static String pgpass(List<Integer> pgPorts, LabSecrets secrets) {
        StringBuilder out = new StringBuilder();
        for (int port : pgPorts) {
            out.append("127.0.0.1:").append(port).append(":*:postgres:").append(secrets.superuser()).append('\n');
        }
        return out.toString();
    }

    /** Creates the file with mode 0600 before any byte is written, so the secret is never readable by others. */
    public static void writePrivate(Path file, String text) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new CliException(file + ": cannot be written: " + e.getMessage(), e);
        }
    }
}
