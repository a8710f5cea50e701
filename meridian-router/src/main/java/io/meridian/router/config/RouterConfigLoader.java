package io.meridian.router.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.meridian.core.config.ConfigException;
import io.meridian.core.config.ConfigNode;
import io.meridian.core.config.HostPort;
import io.meridian.router.route.LagBound;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads and checks a router's YAML file; any problem is one {@link ConfigException} and nothing starts. */
public final class RouterConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private RouterConfigLoader() {
    }

    public static RouterConfig load(Path file) {
        return parse(file, ConfigNode.readFile(file));
    }

    public static RouterConfig parse(Path file, String text) {
        String source = file.toString();
        ConfigNode top = ConfigNode.parseYaml(source, text);
        top.allowOnly(Set.of("cluster", "name", "region", "etcd", "listen", "reads", "monitor", "leader", "client", "tls"));
        String cluster = top.name("cluster");
        String region = top.name("region");
        String name = top.has("name") ? top.name("name") : "router-" + region;

        ConfigNode etcd = top.child("etcd", true);
        etcd.allowOnly(Set.of("endpoints", "namespace", "tls"));
        List<String> endpoints = etcd.strings("endpoints");
        if (endpoints.isEmpty()) {
            throw etcd.error("endpoints", "missing (expected a list of URLs like http://127.0.0.1:2379)");
        }
        for (String ep : endpoints) {
            if (!ep.matches("https?://[^/\\s]+:\\d+/?")) {
                throw etcd.error("endpoints", "expected URLs like http://127.0.0.1:2379, got \"" + ep + "\"");
            }
        }
        String namespace = etcd.textOr("namespace", "/meridian");
        if (!namespace.startsWith("/")) {
            throw etcd.error("namespace", "expected a key prefix starting with '/', got \"" + namespace + "\"");
        }
        namespace = namespace.length() > 1 && namespace.endsWith("/") ? namespace.substring(0, namespace.length() - 1) : namespace;

        ConfigNode listen = top.child("listen", true);
        listen.allowOnly(Set.of("rw", "ro", "http"));
        HostPort rw = listen.hostPort("rw", null);
        HostPort ro = listen.hostPort("ro", null);
        HostPort http = listen.has("http") ? listen.hostPort("http", null) : null;
        Set<HostPort> distinct = new HashSet<>();
        for (HostPort hp : new HostPort[] {rw, ro, http}) {
            if (hp != null && !distinct.add(hp)) {
                throw listen.error(hp == ro ? "ro" : "http", "expected an address of its own, got " + hp + " twice");
            }
        }

        ConfigNode reads = top.child("reads", false);
        reads.allowOnly(Set.of("max_lag", "fallback", "min_lsn_wait"));
        LagBound maxLag = LagBound.NONE;
        if (reads.has("max_lag")) {
            String v = reads.textOr("max_lag", null);
            try {
                maxLag = LagBound.parse(v);
            } catch (IllegalArgumentException e) {
                throw reads.error("max_lag", e.getMessage());
            }
        }
        String fallbackText = reads.textOr("fallback", "leader");
        RouterConfig.Fallback fallback = switch (fallbackText) {
            case "leader" -> RouterConfig.Fallback.LEADER;
            case "refuse" -> RouterConfig.Fallback.REFUSE;
            default -> throw reads.error("fallback", "expected leader or refuse, got \"" + fallbackText + "\"");
        };
        Duration minLsnWait = seconds(reads, "min_lsn_wait", 0.5, 0, 60);

        ConfigNode monitor = top.child("monitor", true);
        monitor.allowOnly(Set.of("username", "password", "database", "interval", "timeout"));
        RouterConfig.Monitor mon = new RouterConfig.Monitor(monitor.textOr("username", "postgres"), monitor.text("password"),
                monitor.textOr("database", "postgres"), seconds(monitor, "interval", 0.2, 0.01, 60),
                seconds(monitor, "timeout", 1, 0.1, 60));

        ConfigNode leader = top.child("leader", false);
        leader.allowOnly(Set.of("stale_after"));
        ConfigNode client = top.child("client", false);
        client.allowOnly(Set.of("connect_timeout", "startup_timeout"));

        RouterConfig.Tls tls = null;
        ConfigNode tlsNode = top.child("tls", false);
        tlsNode.allowOnly(Set.of("certificate", "private_key", "server_mode", "server_root_cert", "server_crl"));
        if (tlsNode.has("certificate") || tlsNode.has("private_key")) {
            tls = new RouterConfig.Tls(readable(tlsNode, "certificate"), readable(tlsNode, "private_key"));
        }
        String serverMode = tlsNode.textOr("server_mode", "disable");
        RouterConfig.ServerTls serverTls = java.util.Arrays.stream(RouterConfig.ServerTls.values())
                .filter(m -> m.label().equals(serverMode)).findFirst()
                .orElseThrow(() -> tlsNode.error("server_mode",
                        "expected disable, prefer, require, verify-ca or verify-full, got \"" + serverMode + "\""));
        Path serverRootCert = null;
        if (serverTls.verifies()) {
            if (!tlsNode.has("server_root_cert")) {
                throw tlsNode.error("server_root_cert", "expected the PEM file of the root certificate(s) the servers' "
                        + "certificates chain to: server_mode " + serverMode + " verifies them against it");
            }
            serverRootCert = readable(tlsNode, "server_root_cert");
        } else if (tlsNode.has("server_root_cert")) {
            throw tlsNode.error("server_root_cert", "is only used with server_mode verify-ca or verify-full, got server_mode "
                    + serverMode);
        }
        Path serverCrl = null;
        if (tlsNode.has("server_crl")) {
            if (!serverTls.verifies()) {
                throw tlsNode.error("server_crl", "is only used with server_mode verify-ca or verify-full, got server_mode "
                        + serverMode);
            }
            serverCrl = readable(tlsNode, "server_crl");
        }
        RouterConfig.Etcd etcdSettings = new RouterConfig.Etcd(endpoints, namespace,
                io.meridian.core.config.NodeConfigLoader.etcdTls(etcd, endpoints));
        return new RouterConfig(source, cluster, name, region, etcdSettings, rw, ro, http,
                new RouterConfig.Reads(maxLag, fallback, minLsnWait), mon,
                seconds(leader, "stale_after", 10, 0.5, 3600),
                seconds(client, "connect_timeout", 5, 0.1, 600),
                seconds(client, "startup_timeout", 10, 0.1, 600), tls, serverTls, serverRootCert, serverCrl);
    }

    private static Duration seconds(ConfigNode node, String key, double fallback, double min, double max) {
        return Duration.ofNanos(Math.round(node.seconds(key, fallback, min, max) * 1e9));
    }

    private static Path readable(ConfigNode node, String key) {
        Path p = Path.of(node.text(key));
        if (!Files.isReadable(p)) {
            throw node.error(key, "expected a readable PEM file, got \"" + p + "\"");
        }
        return p;
    }
}
