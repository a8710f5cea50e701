package io.meridian.cli.ops;

import io.meridian.core.config.NodeConfig;
import io.meridian.core.config.NodeConfigLoader;
import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.lab.cli.LabState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How every cluster verb finds its cluster, first match wins: a node file ({@code -c}), explicit
 * {@code --etcd} and {@code --cluster}, or the local lab's state file, so that {@code meridian list}
 * works against the lab with no flags.
 */
public final class ClusterOptions {

    @Option(names = {"-c", "--config"}, description = "A node's YAML file (etcd endpoints, cluster, REST credentials).")
    Path config;

    @Option(names = "--etcd", split = ",", paramLabel = "URL", description = "etcd client URLs, comma-separated.")
    List<String> etcd;

    @Option(names = "--cluster", description = "Cluster name (with --etcd).")
    String cluster;

    @Option(names = "--namespace", defaultValue = "/meridian", description = "etcd key prefix (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--lab-dir", description = "Lab folder to use when no cluster is given (default: $MERIDIAN_LAB_DIR or /tmp/meridian-lab).")
    Path labDir;

    public ClusterTarget resolve() {
        if (config != null) {
            NodeConfig node = NodeConfigLoader.load(config);
            return new ClusterTarget(node.etcd().endpoints(), node.etcd().namespace(), node.cluster(),
                    node.restapi().username(), node.restapi().password(), config.toString(), node.etcd().tls(),
                    node.restapi().tls());
        }
        if (etcd != null || cluster != null) {
            if (etcd == null || etcd.isEmpty()) {
                throw new CliException("--cluster needs --etcd URLS (or use -c node.yml)");
            }
            if (cluster == null) {
                throw new CliException("--etcd needs --cluster NAME (or use -c node.yml)");
            }
            for (String url : etcd) {
                if (!url.matches("https?://[^/\\s]+:\\d+/?")) {
                    throw new CliException("--etcd: expected URLs like http://127.0.0.1:2379, got \"" + url + "\"");
                }
            }
            // Credentials come from the environment so they never sit on a command line.
            return new ClusterTarget(etcd, namespace, cluster, System.getenv("MERIDIAN_REST_USER"),
                    System.getenv("MERIDIAN_REST_PASSWORD"), "--etcd " + String.join(",", etcd));
        }
        Path dir = labDir != null ? labDir : LabState.defaultDir();
        if (!Files.exists(LabState.file(dir))) {
            throw new CliException("no cluster given: use -c node.yml, or --etcd URLS --cluster NAME, "
                    + "or start a lab with 'meridian lab up' (no lab state in " + dir + ")");
        }
        return LabState.read(dir).target();
    }

    @Override
    public String toString() {
        return "ClusterOptions" + Arrays.asList(config, etcd, cluster, namespace, labDir);
    }
}
