package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.console.ConfigText;
import io.meridian.core.console.JsonOutput;
import io.meridian.core.console.OutputFormat;
import io.meridian.core.dcs.Dcs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meridian show-config}: the cluster-wide configuration in etcd, as YAML. */
@Command(name = "show-config", description = "Print the cluster-wide configuration stored in etcd.")
public final class ShowConfigCommand extends ClusterVerb {

    @Option(names = {"-f", "--format"}, defaultValue = "pretty", description = "pretty (YAML) or json.")
    OutputFormat format;

    @Override
    int run(ClusterTarget target, Dcs dcs) {
        Cluster c = requireInitialized(target, load(target, dcs));
        if (format == OutputFormat.json) {
            out().println(JsonOutput.write(c.config()));
        } else {
            out().println("# cluster " + c.name() + ", config version " + c.configVersion()
                    + (c.configVersion() == 0 ? " (defaults: nothing stored yet)" : ""));
            out().print(ConfigText.yaml(c.config()));
        }
        out().flush();
        return 0;
    }
}
