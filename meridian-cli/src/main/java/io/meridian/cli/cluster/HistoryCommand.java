package io.meridian.cli.cluster;

import io.meridian.cli.ClusterTarget;
import io.meridian.cli.JsonOutput;
import io.meridian.cli.OutputFormat;
import io.meridian.cli.TextTable;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.dcs.Dcs;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meridian history}: every leadership change, oldest first. */
@Command(name = "history", description = "Show the leadership changes (timelines), oldest first.")
public final class HistoryCommand extends ClusterVerb {

    @Option(names = {"-f", "--format"}, defaultValue = "pretty", description = "pretty or json.")
    OutputFormat format;

    @Override
    int run(ClusterTarget target, Dcs dcs) {
        Cluster c = requireInitialized(target, load(target, dcs));
        out().print(format == OutputFormat.json ? JsonOutput.write(c.history()) + "\n" : render(c));
        out().flush();
        return 0;
    }

    static String render(Cluster c) {
        TextTable t = new TextTable(List.of("TL", "LSN", "Reason", "Time", "New leader", "Old leader", "Region"), Set.of(0));
        for (TimelineEvent e : c.history()) {
            t.row(List.of(Long.toString(e.timeline()), e.lsn() == null ? "" : e.lsn().toString(), nz(e.reason()),
                    e.atMillis() > 0 ? Instant.ofEpochMilli(e.atMillis()).toString() : "", nz(e.newLeader()),
                    nz(e.oldLeader()), nz(e.region())));
        }
        return t.render("History: " + c.name());
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
