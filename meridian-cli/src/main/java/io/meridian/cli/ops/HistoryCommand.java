package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.LostTransactions;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.console.JsonOutput;
import io.meridian.core.console.OutputFormat;
import io.meridian.core.console.TextTable;
import io.meridian.core.dcs.Dcs;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meridian history}: every leadership change, oldest first, and under the table the commits
 * each failover lost (recorded by the old primaries when pg_rewind brought them back).
 */
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
        StringBuilder out = new StringBuilder(t.render("History: " + c.name()));
        // What old primaries committed past a fork and lost when they rejoined, under the
        // promotion that left them behind: a table cell would be too narrow for it.
        for (TimelineEvent e : c.history()) {
            for (LostTransactions l : e.lost()) {
                out.append("TL ").append(e.timeline()).append(" (").append(nz(e.reason())).append(" to ")
                        .append(nz(e.newLeader())).append("): ").append(l.describe()).append('\n');
            }
        }
        return out.toString();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
