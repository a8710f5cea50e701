package io.meridian.cli.ops;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The cluster options of most verbs: {@link ClusterSelection}'s, with the node file as
 * {@code -c} or {@code --config}. ({@code query} takes {@code -c} for its SQL, as patronictl does,
 * and the node file only as {@code --config} or before the verb.)
 */
public class ClusterOptions extends ClusterSelection {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "A node's YAML file (etcd endpoints, cluster, "
            + "REST credentials); default: $MERIDIAN_CONFIG, else /etc/meridian/meridian.yml when readable, else the local lab.")
    void config(Path file) {
        this.config = file;
    }
}
