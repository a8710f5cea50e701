package io.meridian.cli.ops;

import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.lab.cli.LabState;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.config.NodeConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How every cluster verb finds its cluster, first match wins: a node file given with {@code -c}
 * after the verb or before it ({@code meridian -c node.yml list}, as with patronictl), explicit
 * {@code --etcd} and {@code --cluster}, an explicit {@code --lab-dir}, the node file named by
 * {@code $MERIDIAN_CONFIG}, {@code /etc/meridian/meridian.yml} when readable, and last the local
 * lab's state file, so that {@code meridian list} works on a node and against the lab with no flags.
 */
public class ClusterSelection {

    /** Where a packaged node keeps its node file; read when nothing else names a cluster. */
    static final Path ETC_CONFIG = Path.of("/etc/meridian/meridian.yml");

    /** The environment, replaceable by tests of this package. */
    static java.util.function.Function<String, String> environment = System::getenv;

    /** Set by the subclass's option ({@code -c} or only {@code --config}). */
    protected Path config;

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec mixee;

    @Option(names = "--etcd", split = ",", paramLabel = "URL", description = "etcd client URLs, comma-separated.")
    List<String> etcd;

    @Option(names = "--cluster", description = "Cluster name (with --etcd).")
    String cluster;

    @Option(names = "--namespace", defaultValue = "/meridian", description = "etcd key prefix (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--lab-dir", description = "Lab folder to use when no cluster is given (default: $MERIDIAN_LAB_DIR or /tmp/meridian-lab).")
    Path labDir;

    /** The node file given after the verb (this mixin's own {@code -c}); null when none. */
    Path ownConfig() {
        return config;
    }

    /** The cluster to use when none was given otherwise (e.g. {@code meridian remove NAME --etcd URLS}). */
    public void defaultCluster(String name) {
        if (cluster == null && etcd != null) {
            cluster = name;
        }
    }

    public ClusterTarget resolve() {
        return resolve(configFile());
    }

    /** The node file in effect, by the order above; null when the cluster comes from --etcd or the lab. */
    private Path configFile() {
        Path own = ownConfig();
        Path file = own != null ? own : rootConfig();
        if (file == null && etcd == null && cluster == null && labDir == null) {
            file = defaultConfig(environment.apply("MERIDIAN_CONFIG"), ETC_CONFIG);
        }
        return file;
    }

    /**
     * The node file whose PostgreSQL credentials a command may use ({@code query}): the one in
     * effect, or the lab's first node's; null with {@code --etcd}.
     */
    public Path nodeFile() {
        Path file = configFile();
        if (file != null || etcd != null) {
            return file;
        }
        Path dir = labDir != null ? labDir : LabState.defaultDir();
        if (!Files.exists(LabState.file(dir))) {
            return null;
        }
        var nodes = LabState.read(dir).nodes();
        return nodes.isEmpty() ? null : Path.of(nodes.get(0).config());
    }

    /** {@code -c} given before the verb, on the root command; null when none (or outside a command line). */
    private Path rootConfig() {
        if (mixee == null) {
            return null;
        }
        var top = mixee;
        while (top.parent() != null) {
            top = top.parent();
        }
        // Read through picocli's model: this package must not depend on the root command's class.
        var option = top == mixee ? null : top.findOption("--config");
        return option == null ? null : option.getValue();
    }

    /**
     * The node file to use when no option names a cluster: {@code $MERIDIAN_CONFIG} (which must
     * exist), else {@code etc} when readable, else null (the lab).
     */
    static Path defaultConfig(String env, Path etc) {
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env.strip());
            if (!Files.isRegularFile(p)) {
                throw new CliException("MERIDIAN_CONFIG names " + p + ", which is not a file (unset it, or use -c node.yml)");
            }
            return p;
        }
        return Files.isReadable(etc) ? etc : null;
    }

    private ClusterTarget resolve(Path config) {
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
        return getClass().getSimpleName() + Arrays.asList(config, etcd, cluster, namespace, labDir);
    }
}
