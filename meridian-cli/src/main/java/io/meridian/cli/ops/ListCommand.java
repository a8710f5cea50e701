package io.meridian.cli.ops;

import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.console.JsonOutput;
import io.meridian.core.console.OutputFormat;
import io.meridian.core.dcs.Dcs;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meridian list}: the members, their roles, states, timelines and lag, with patronictl's
 * options: {@code -e} for restarts and tags, {@code -W}/{@code -w} to redraw it until Ctrl-C,
 * {@code --format} for scripts.
 */
@Command(name = "list", description = "List the cluster's members with role, state, timeline and lag.")
public final class ListCommand extends ClusterVerb {

    @Option(names = {"-f", "--format"}, defaultValue = "pretty", description = "pretty, tsv, yaml or json (default: ${DEFAULT-VALUE}).")
    TableFormat format;

    @Option(names = {"-e", "--extended"}, description = "Also show pending and scheduled restarts and tags (asks each agent).")
    boolean extended;

    @Option(names = "-W", description = "Refresh every 2 seconds until Ctrl-C.")
    boolean watchEvery2s;

    @Option(names = {"-w", "--watch"}, paramLabel = "SECONDS", description = "Refresh every SECONDS until Ctrl-C.")
    Double watchSeconds;

    @Option(names = {"-t", "--timestamp"}, description = "Print the time before the table.")
    boolean timestamp;

    @Override
    void validate() {
        if (watchSeconds != null && !(watchSeconds > 0)) {
            throw new CliException("--watch: expected a positive number of seconds, got " + watchSeconds);
        }
    }

    @Override
    int run(ClusterTarget target, Dcs dcs) throws InterruptedException {
        Double every = watchSeconds != null ? watchSeconds : watchEvery2s ? Double.valueOf(2) : null;
        boolean clear = every != null && format == TableFormat.pretty && System.console() != null;
        while (true) {
            Cluster c = requireInitialized(target, load(target, dcs));
            Map<String, MemberExtras> extras = extended ? MemberExtras.of(c, target) : null;
            String text = format == TableFormat.pretty ? MemberTable.render(c, extras)
                    : format.render(MemberTable.rows(c, extras), MemberTable.keys(extended));
            if (clear) {
                out().print("\033[H\033[2J");
            }
            if (timestamp || every != null) {
                out().println(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")));
            }
            out().print(text);
            out().flush();
            if (every == null) {
                return 0;
            }
            // patronictl's watch: a fixed period, whatever changed; Ctrl-C ends the JVM.
            Thread.sleep(Math.round(every * 1000));
        }
    }
}
