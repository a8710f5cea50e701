package io.meridian.lab.cli;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.config.ConfigException;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.config.NodeConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a running lab is made of, in {@code <dir>/lab.json}: written by {@code lab up}, updated by
 * {@code lab start}, read by every other command. Holds no password: those live only in the 0600
 * node files and pgpass.
 *
 * @param version   format version of this file
 * @param cluster   cluster name in etcd
 * @param namespace etcd key prefix
 * @param dir       the lab folder
 * @param etcd      the etcd members the lab started
 * @param nodes     one PostgreSQL node and its agent per region
 * @param wan       the WAN emulator, or null without {@code --wan}
 * @param router    the router once started, or null
 * @param dashboardUrl the live dashboard, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record LabState(
        int version,
        String cluster,
        String namespace,
        String dir,
        @JsonProperty("created_at") long createdAt,
        Etcd etcd,
        List<Node> nodes,
        Wan wan,
        Router router,
        @JsonProperty("dashboard_url") String dashboardUrl) {

    public static final int FORMAT_VERSION = 1;
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public LabState {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }

    /**
     * @param endpoints client URLs the CLI uses (direct, never through the WAN relays)
     * @param members   one etcd member per region
     */
    public record Etcd(List<String> endpoints, List<EtcdMember> members) {
    }

    public record EtcdMember(String name, String region, @JsonProperty("client_url") String clientUrl,
                             @JsonProperty("peer_url") String peerUrl, long pid,
                             @JsonProperty("data_dir") String dataDir) {
    }

    /**
     * @param config   the node's YAML file (mode 0600: it holds the passwords)
     * @param log      the agent's stdout and stderr
     * @param agentPid the agent process, -1 once it was killed
     */
    public record Node(String name, String region, String config,
                       @JsonProperty("pg_port") int pgPort, @JsonProperty("rest_port") int restPort,
                       @JsonProperty("data_dir") String dataDir, String log,
                       @JsonProperty("agent_pid") long agentPid) {

        public Node withAgentPid(long pid) {
            return new Node(name, region, config, pgPort, restPort, dataDir, log, pid);
        }
    }

    /**
     * @param controlUrl the wan-daemon's HTTP control address
     * @param pid        the wan-daemon process
     * @param rttMillis  round trip per region pair, e.g. {@code paris-newyork: 80}
     */
    public record Wan(@JsonProperty("control_url") String controlUrl, long pid,
                      @JsonProperty("rtt_ms") Map<String, Integer> rttMillis) {
    }

    public record Router(@JsonProperty("rw_dsn") String rwDsn, @JsonProperty("ro_dsn") String roDsn, long pid) {
    }

    /** $MERIDIAN_LAB_DIR or /tmp/meridian-lab: under /tmp so the postgres user can traverse it. */
    public static Path defaultDir() {
        String env = System.getenv("MERIDIAN_LAB_DIR");
        return Path.of(env == null || env.isBlank() ? "/tmp/meridian-lab" : env).toAbsolutePath();
    }

    public static Path file(Path dir) {
        return dir.resolve("lab.json");
    }

    public static LabState read(Path dir) {
        Path f = file(dir);
        if (!Files.exists(f)) {
            throw new CliException("no lab in " + dir + " (no lab.json): start one with 'meridian lab up'");
        }
        try {
            LabState s = JSON.readValue(f.toFile(), LabState.class);
            if (s.version() != FORMAT_VERSION) {
                throw new CliException(f + ": format version " + s.version() + ", expected " + FORMAT_VERSION);
            }
            return s;
        } catch (IOException e) {
            throw new CliException(f + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /** Writes atomically (temp file, then rename) so a reader never sees half a file. */
    public void write() {
        Path f = file(Path.of(dir));
        Path tmp = f.resolveSibling("lab.json.tmp");
        try {
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException(f + ": cannot be written: " + e.getMessage(), e);
        }
    }

    public Path path() {
        return Path.of(dir);
    }

    public Optional<Node> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    public Node requireNode(String name) {
        return node(name).orElseThrow(() -> new CliException("no node '" + name + "' in the lab at " + dir
                + " (nodes: " + String.join(", ", nodes.stream().map(Node::name).toList()) + ")"));
    }

    public LabState withNode(Node node) {
        List<Node> list = new ArrayList<>(nodes);
        list.replaceAll(n -> n.name().equals(node.name()) ? node : n);
        return new LabState(version, cluster, namespace, dir, createdAt, etcd, list, wan, router, dashboardUrl);
    }

    /** Recorded by whoever starts the lab's router. */
    public LabState withRouter(Router value) {
        return new LabState(version, cluster, namespace, dir, createdAt, etcd, nodes, wan, value, dashboardUrl);
    }

    public LabState withWan(Wan value) {
        return new LabState(version, cluster, namespace, dir, createdAt, etcd, nodes, value, router, dashboardUrl);
    }

    /** The cluster as the CLI sees it: direct etcd endpoints, REST credentials from a node file. */
    public ClusterTarget target() {
        String user = null;
        String password = null;
        NodeConfig.RestTls restTls = null;
        io.meridian.core.dcs.EtcdTls etcdTls = null;
        if (!nodes.isEmpty()) {
            try {
                NodeConfig first = NodeConfigLoader.load(Path.of(nodes.get(0).config()));
                user = first.restapi().username();
                password = first.restapi().password();
                restTls = first.restapi().tls();
                etcdTls = first.etcd().tls();
            } catch (ConfigException e) {
                // Read-only verbs still work; mutating ones report the missing credentials.
            }
        }
        return new ClusterTarget(etcd.endpoints(), namespace, cluster, user, password, "lab " + dir, etcdTls, restTls);
    }
}
