package io.meridian.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.meridian.core.cluster.MemberTags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Reads and checks a node's YAML file; any problem is one {@link ConfigException} and nothing starts. */
public final class NodeConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path DEFAULT_BIN_DIR = Path.of("/usr/lib/postgresql/15/bin");

    private NodeConfigLoader() {
    }

    public static NodeConfig load(Path file) {
        return parse(file, ConfigNode.readFile(file));
    }

    public static NodeConfig parse(Path file, String text) {
        String source = file.toString();
        ConfigNode top = ConfigNode.parseYaml(source, text);
        top.allowOnly(Set.of("cluster", "name", "region", "etcd", "postgresql", "restapi", "tags", "bootstrap", "fence"));

        String cluster = top.name("cluster");
        String name = top.name("name");
        String region = top.name("region");

        ConfigNode etcdNode = top.child("etcd", true);
        etcdNode.allowOnly(Set.of("endpoints", "namespace", "tls"));
        List<String> endpoints = etcdNode.strings("endpoints");
        if (endpoints.isEmpty()) {
            throw etcdNode.error("endpoints", "missing (expected a list of URLs like http://127.0.0.1:2379)");
        }
        for (String ep : endpoints) {
            if (!ep.matches("https?://[^/\\s]+:\\d+/?")) {
                throw etcdNode.error("endpoints", "expected URLs like http://127.0.0.1:2379, got \"" + ep + "\"");
            }
        }
        String namespace = etcdNode.textOr("namespace", "/meridian");
        if (!namespace.startsWith("/")) {
            throw etcdNode.error("namespace", "expected a key prefix starting with '/', got \"" + namespace + "\"");
        }

        ConfigNode pg = top.child("postgresql", true);
        pg.allowOnly(Set.of("bin_dir", "data_dir", "listen", "connect_address", "os_user", "superuser",
                "replication", "parameters", "pg_hba", "tls", "allow_shell_parameters",
                "lost_transactions_dir", "remove_data_directory_on_rewind_failure"));
        Path binDir = Path.of(pg.textOr("bin_dir", DEFAULT_BIN_DIR.toString()));
        if (!Files.isExecutable(binDir.resolve("pg_ctl"))) {
            throw pg.error("bin_dir", "expected a folder holding pg_ctl, initdb and pg_basebackup, got \"" + binDir + "\"");
        }
        Path dataDir = Path.of(pg.text("data_dir"));
        if (!dataDir.isAbsolute()) {
            throw pg.error("data_dir", "expected an absolute path, got \"" + dataDir + "\"");
        }
        HostPort listen = pg.hostPort("listen", null);
        HostPort connect = pg.hostPort("connect_address", listen);
        String osUser = pg.textOr("os_user", "postgres");
        NodeConfig.Credentials superuser = credentials(pg, "superuser", "postgres");
        NodeConfig.Credentials replication = credentials(pg, "replication", "replicator");
        if (superuser.username().equals(replication.username())) {
            throw pg.error("replication.username", "expected a role other than the superuser's (\"" + superuser.username() + "\")");
        }

        NodeConfig.Tls tls = tls(pg);
        Path lostDir = null;
        if (pg.has("lost_transactions_dir")) {
            lostDir = Path.of(pg.text("lost_transactions_dir"));
            if (!lostDir.isAbsolute()) {
                throw pg.error("lost_transactions_dir", "expected an absolute path, got \"" + lostDir + "\"");
            }
            if (lostDir.normalize().startsWith(dataDir.normalize())) {
                // pg_rewind and pg_basebackup rewrite the data directory: what is saved there is lost again.
                throw pg.error("lost_transactions_dir", "expected a folder outside data_dir (" + dataDir + "), got \""
                        + lostDir + "\"");
            }
        }
        boolean removeOnRewindFailure = pg.bool("remove_data_directory_on_rewind_failure", false);

        ConfigNode rest = top.child("restapi", true);
        rest.allowOnly(Set.of("listen", "connect_address", "username", "password", "tls"));
        HostPort restListen = rest.hostPort("listen", null);
        HostPort restConnect = rest.hostPort("connect_address", restListen);
        String restUser = rest.text("username");
        String restPassword = rest.text("password");
        if (restListen.equals(listen)) {
            throw rest.error("listen", "expected an address other than postgresql.listen (" + listen + ")");
        }

        ConfigNode tagsNode = top.child("tags", false);
        tagsNode.allowOnly(Set.of("nofailover", "failover_priority", "noloadbalance"));
        MemberTags tags = new MemberTags(tagsNode.bool("nofailover", false),
                (int) tagsNode.integer("failover_priority", 1, 0, 1_000_000),
                tagsNode.bool("noloadbalance", false));

        ConfigNode boot = top.child("bootstrap", false);
        boot.allowOnly(Set.of("dcs"));
        DynamicConfig bootstrap = DynamicConfigParser.parse(boot.child("dcs", false));

        return new NodeConfig(file, cluster, name, region,
                new NodeConfig.Etcd(List.copyOf(endpoints), namespace.endsWith("/") ? namespace.substring(0, namespace.length() - 1) : namespace,
                        etcdTls(etcdNode, endpoints)),
                new NodeConfig.Postgres(binDir, dataDir, listen, connect, osUser, superuser, replication,
                        pg.scalars("parameters"), pg.strings("pg_hba"), tls, allowShell(pg), lostDir, removeOnRewindFailure),
                new NodeConfig.RestApi(restListen, restConnect, restUser, restPassword, restTls(rest)),
                tags, bootstrap, fence(top.child("fence", false), dataDir));
    }

    /** {@code fence}: where the fence keeper lives and whether a watchdog device backs it. */
    private static NodeConfig.Fence fence(ConfigNode f, Path dataDir) {
        f.allowOnly(Set.of("dir", "watchdog", "watchdog_device"));
        Path dir = Path.of(f.textOr("dir", NodeConfig.Fence.defaultDir(dataDir).toString()));
        if (!dir.isAbsolute()) {
            throw f.error("dir", "expected an absolute path, got \"" + dir + "\"");
        }
        if (dir.normalize().startsWith(dataDir.normalize())) {
            throw f.error("dir", "expected a folder outside postgresql.data_dir (" + dataDir + "), got \"" + dir + "\"");
        }
        String mode = f.textOr("watchdog", "off");
        NodeConfig.WatchdogMode watchdog = switch (mode) {
            case "off", "false" -> NodeConfig.WatchdogMode.OFF; // a bare YAML off reads as false
            case "automatic" -> NodeConfig.WatchdogMode.AUTOMATIC;
            case "required" -> NodeConfig.WatchdogMode.REQUIRED;
            default -> throw f.error("watchdog", "expected off, automatic or required, got \"" + mode + "\"");
        };
        Path device = Path.of(f.textOr("watchdog_device", NodeConfig.Fence.DEFAULT_WATCHDOG_DEVICE.toString()));
        if (!device.isAbsolute()) {
            throw f.error("watchdog_device", "expected an absolute path like /dev/watchdog, got \"" + device + "\"");
        }
        return new NodeConfig.Fence(dir, watchdog, device);
    }

    /**
     * {@code etcd.tls}, or null when absent: the authority etcd's certificates chain to, and a
     * client certificate and key when etcd requires one. Only with {@code https://} endpoints.
     */
    public static io.meridian.core.dcs.EtcdTls etcdTls(ConfigNode etcd, List<String> endpoints) {
        if (!etcd.has("tls")) {
            return io.meridian.core.dcs.EtcdTls.forEndpoints(endpoints, null);
        }
        ConfigNode t = etcd.child("tls", true);
        t.allowOnly(Set.of("ca_file", "certificate", "private_key"));
        if (endpoints.stream().anyMatch(e -> !e.startsWith("https://"))) {
            throw etcd.error("tls", "is only used with https:// endpoints, got " + endpoints);
        }
        if (t.has("certificate") != t.has("private_key")) {
            throw t.error(t.has("certificate") ? "private_key" : "certificate",
                    "missing (a client certificate and its key go together)");
        }
        return new io.meridian.core.dcs.EtcdTls(t.has("ca_file") ? readable(t, "ca_file") : null,
                t.has("certificate") ? readable(t, "certificate") : null,
                t.has("private_key") ? readable(t, "private_key") : null);
    }

    /** {@code restapi.tls}, or null when absent. */
    private static NodeConfig.RestTls restTls(ConfigNode rest) {
        if (!rest.has("tls")) {
            return null;
        }
        ConfigNode t = rest.child("tls", true);
        t.allowOnly(Set.of("certificate", "private_key", "ca_file"));
        return new NodeConfig.RestTls(readable(t, "certificate"), readable(t, "private_key"),
                t.has("ca_file") ? readable(t, "ca_file") : null);
    }

    /** {@code postgresql.tls}, or null when absent. */
    /**
     * {@code postgresql.allow_shell_parameters}: which settings that run shell commands this node
     * takes from {@code /config}. Off by default: writing {@code /config} must not mean running
     * commands as postgres on every node.
     */
    private static Set<String> allowShell(ConfigNode pg) {
        List<String> names = pg.strings("allow_shell_parameters");
        for (int i = 0; i < names.size(); i++) {
            if (!io.meridian.core.postgres.ParameterValidator.SHELL.contains(names.get(i))) {
                throw new ConfigException(pg.source(), "postgresql.allow_shell_parameters[" + i + "]", "expected one of "
                        + String.join(", ", new java.util.TreeSet<>(io.meridian.core.postgres.ParameterValidator.SHELL))
                        + ", got \"" + names.get(i) + "\"");
            }
        }
        return Set.copyOf(names);
    }

    private static NodeConfig.Tls tls(ConfigNode pg) {
        if (!pg.has("tls")) {
            return null;
        }
        ConfigNode t = pg.child("tls", true);
        t.allowOnly(Set.of("certificate", "private_key", "ca_file", "sslmode"));
        Path certificate = readable(t, "certificate");
        Path key = readable(t, "private_key");
        Path ca = t.has("ca_file") ? readable(t, "ca_file") : null;
        String mode = t.textOr("sslmode", ca == null ? "require" : "verify-full");
        if (!Set.of("require", "verify-ca", "verify-full").contains(mode)) {
            throw t.error("sslmode", "expected require, verify-ca or verify-full, got \"" + mode + "\"");
        }
        if (ca == null && !mode.equals("require")) {
            throw t.error("ca_file", "missing (sslmode " + mode + " verifies the other nodes' certificates against it)");
        }
        return new NodeConfig.Tls(certificate, key, ca, mode);
    }

    private static Path readable(ConfigNode node, String key) {
        Path p = Path.of(node.text(key));
        if (!p.isAbsolute() || !Files.isReadable(p)) {
            throw node.error(key, "expected an absolute path to a readable PEM file, got \"" + p + "\"");
        }
        return p;
    }

    private static NodeConfig.Credentials credentials(ConfigNode pg, String key, String defaultUser) {
        ConfigNode c = pg.child(key, true);
        c.allowOnly(Set.of("username", "password"));
        return new NodeConfig.Credentials(c.textOr("username", defaultUser), c.text("password"));
    }
}
