package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.console.JsonOutput;
import io.meridian.core.console.OutputFormat;
import io.meridian.core.dcs.Dcs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meridian list}: the members, their roles, states, timelines and lag. */
@Command(name = "list", description = "List the cluster's members with role, state, timeline and lag.")
public final class ListCommand extends ClusterVerb {

    @Option(names = {"-f", "--format"}, defaultValue = "pretty", description = "pretty or json.")
    OutputFormat format;

    @Override
    int run(ClusterTarget target, Dcs dcs) {
        Cluster c = requireInitialized(target, load(target, dcs));
        out().print(format == OutputFormat.json ? JsonOutput.write(MemberTable.rows(c)) + "\n" : MemberTable.render(c));
        out().flush();
        return 0;
    }
}
