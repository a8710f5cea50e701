package io.meridian.cli.ops;

import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.console.JsonOutput;
import io.meridian.core.console.OutputFormat;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meridian lag}: replication lag per member and region; {@code --watch} keeps it on screen. */
@Command(name = "lag", description = "Show replication lag per member and per region (bytes, seconds, state).")
public final class LagCommand extends ClusterVerb {

    @Option(names = {"-f", "--format"}, defaultValue = "pretty", description = "pretty or json.")
    OutputFormat format;

    @Option(names = {"-w", "--watch"}, description = "Refresh until interrupted.")
    boolean watch;

    @Option(names = {"-i", "--interval"}, defaultValue = "1", description = "Seconds between refreshes with --watch (default: ${DEFAULT-VALUE}).")
    double interval;

    @Override
    void validate() {
        if (interval < 0.1) {
            throw new CliException("--interval: expected at least 0.1 seconds, got " + interval);
        }
    }

    @Override
    int run(ClusterTarget target, Dcs dcs) throws InterruptedException {
        requireInitialized(target, load(target, dcs));
        do {
            String screen;
            try {
                LagReport.Report r = LagReport.of(dcs.load());
                screen = format == OutputFormat.json ? JsonOutput.write(r) + "\n" : LagReport.render(r);
            } catch (DcsException e) {
                if (!watch) {
                    throw new CliException("cannot read cluster '" + target.cluster() + "': " + e.getMessage(), e);
                }
                screen = "etcd: " + e.getMessage() + "\n";
            }
            if (watch && format == OutputFormat.pretty) {
                // Clear the terminal and home the cursor so the table refreshes in place.
                out().print("\033[H\033[2J" + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "  every " + interval + " s\n");
            }
            out().print(screen);
            out().flush();
            if (watch) {
                Thread.sleep(Math.round(interval * 1000));
            }
        } while (watch);
        return 0;
    }
}
