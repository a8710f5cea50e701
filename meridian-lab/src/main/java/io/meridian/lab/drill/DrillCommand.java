package io.meridian.lab.drill;

import io.meridian.core.console.CliException;
import io.meridian.core.console.JsonOutput;
import io.meridian.lab.cli.LabState;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.core.dcs.Dcs;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meridian drill SCENARIO [ARG]}: break the cluster on purpose under a write load, N times,
 * and measure what it cost: write downtime (RTO), acknowledged writes lost (RPO), writes
 * acknowledged by a node that was no longer leader (split brain), and who took over.
 */
@Command(name = "drill", description = {"Break the cluster under a write load and measure downtime, lost and split-brain writes.",
        "Scenarios: crash-postgres, kill-node, freeze-agent, kill-agent, region-outage [REGION], partition [REGION] (needs 'lab up --wan'),"
                + " switchover [CANDIDATE].",
        "Each trial also runs one writer connected straight to the old leader's PostgreSQL; its split-brain writes are counted apart.",
        "Runs against the lab; switchover also against a real cluster with -c node.yml."})
public final class DrillCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SCENARIO",
            description = "crash-postgres, kill-node, freeze-agent, kill-agent, region-outage, partition or switchover.")
    String scenarioName;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ARG", description = "Region (region-outage, partition) or candidate (switchover).")
    String arg;

    @Option(names = "--trials", defaultValue = "1", description = "Times to run the scenario (default: ${DEFAULT-VALUE}).")
    int trials;

    @Option(names = "--concurrency", defaultValue = "1", description = "Writers, each with one acknowledged write at a time (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = {"-f", "--format"}, defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--chart", paramLabel = "FILE.svg", description = "Write a timeline of every trial as SVG.")
    Path chart;

    @Option(names = "--log", paramLabel = "FILE.jsonl", description = "Every write attempt of every trial, one JSON line each (with trial and stranded).")
    Path log;

    @Option(names = "--settle", defaultValue = "3", description = "Seconds the load keeps running after writes succeed again (default: ${DEFAULT-VALUE}).")
    double settleSeconds;

    @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait for writes to succeed again after the fault (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = {"-c", "--config"}, description = "A real cluster's node file (switchover only).")
    Path config;

    @Option(names = "--freeze", paramLabel = "SECONDS",
            description = "freeze-agent: seconds the leader's agent stays stopped (default: 20; longer than the ttl).")
    Double freezeSeconds;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "Change the cluster configuration before the trials, as 'edit-config -s' does, e.g. ttl=30. Repeatable.")
    List<String> set = new ArrayList<>();

    @Option(names = "--keep-config", description = "Leave --set's values in place after the drill (default: put the old ones back).")
    boolean keepConfig;

    @Option(names = "--lab-dir", description = "The lab folder (default: $MERIDIAN_LAB_DIR or /tmp/meridian-lab).")
    Path labDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Scenario scenario = Scenario.parse(scenarioName);
        if (!format.equals("table") && !format.equals("json")) {
            throw new CliException("--format: expected table or json, got \"" + format + "\"");
        }
        if (trials < 1 || concurrency < 1) {
            throw new CliException("--trials and --concurrency must be at least 1");
        }
        if (!(settleSeconds >= 0) || timeoutSeconds < 1) {
            throw new CliException("--settle must be 0 or more and --timeout at least 1 second");
        }
        if (freezeSeconds != null && scenario != Scenario.FREEZE_AGENT) {
            throw new CliException("--freeze is for freeze-agent only");
        }
        if (freezeSeconds != null && !(freezeSeconds >= 1)) {
            throw new CliException("--freeze must be at least 1 second, got " + freezeSeconds);
        }
        if (keepConfig && set.isEmpty()) {
            throw new CliException("--keep-config keeps what --set changed: give --set too");
        }
        Duration freeze = freezeSeconds == null ? Fault.DEFAULT_FREEZE : Duration.ofMillis(Math.round(freezeSeconds * 1000));
        if (config != null && scenario != Scenario.SWITCHOVER) {
            throw new CliException(scenario + " breaks processes the lab started: only switchover runs against -c node.yml");
        }
        ClusterAccess access = config != null ? ClusterAccess.ofNodeFile(config) : ClusterAccess.ofLab(labDir);
        if (scenario == Scenario.PARTITION && access.lab().map(l -> l.wan() == null).orElse(true)) {
            throw new CliException("partition needs a lab with WAN links: 'meridian lab up --wan'");
        }
        PrintWriter progress = spec.commandLine().getErr();
        List<TrialResult> results = new ArrayList<>();
        String stopped = null;
        Map<String, Object> ranWith;
        try (Dcs dcs = access.openDcs()) {
            DynamicConfig before = DrillConfig.load(dcs).config();
            DynamicConfig inForce = before;
            List<String> undo = DrillConfig.undo(before, set);
            if (!set.isEmpty()) {
                inForce = DrillConfig.apply(dcs, set);
                long settleMs = 2 * Math.max(before.loopWaitMillis(), inForce.loopWaitMillis()) + 1000;
                progress.printf("configuration changed (%s); the trials start in %.1f s, once every agent ran a loop with it%n",
                        String.join(", ", set), settleMs / 1e3);
                progress.flush();
                Thread.sleep(settleMs);
            }
            ranWith = DrillConfig.report(inForce, set);
            if (scenario == Scenario.FREEZE_AGENT && freeze.toMillis() <= inForce.ttlMillis()) {
                progress.printf("note: a %.1f s freeze is not longer than ttl (%s s): the leader may keep its key through it%n",
                        freeze.toMillis() / 1e3, DynamicConfigParser.fmt(inForce.ttl()));
                progress.flush();
            }
            try {
                stopped = runTrials(scenario, access, dcs, freeze, progress, results);
            } finally {
                if (!set.isEmpty() && !keepConfig) {
                    try {
                        DrillConfig.apply(dcs, undo);
                        progress.println("configuration put back (" + String.join(", ", undo) + ")");
                    } catch (RuntimeException e) {
                        String msg = "configuration NOT put back (" + e.getMessage() + "): run meridian edit-config -s "
                                + String.join(" -s ", undo);
                        progress.println(msg);
                        stopped = stopped == null ? msg : stopped;
                    }
                    progress.flush();
                }
            }
        }
        DrillReport report = DrillReport.of(scenario, arg, concurrency, results, ranWith);
        if (chart != null) {
            try {
                Files.writeString(chart, DrillChart.svg(report, s -> access.memberOf(s, List.of()).orElse(String.valueOf(s))));
            } catch (IOException e) {
                throw new CliException(chart + ": cannot be written: " + e.getMessage(), e);
            }
            progress.println("chart written to " + chart);
            progress.flush();
        }
        if (log != null) {
            writeLog(results);
            progress.println("attempts written to " + log);
            progress.flush();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(format.equals("json") ? JsonOutput.write(report) : report.render());
        out.flush();
        if (stopped != null) {
            throw new CliException(stopped);
        }
        return report.summary().recovered() == trials ? 0 : 3;
    }

    /** @return why the trials stopped early, or null when all ran */
    private String runTrials(Scenario scenario, ClusterAccess access, Dcs dcs, Duration freeze, PrintWriter progress,
            List<TrialResult> results) throws InterruptedException {
        // A real cluster: every member present now must be back and streaming between trials.
        List<String> nodes = access.lab().isPresent()
                ? access.lab().get().nodes().stream().map(LabState.Node::name).toList()
                : ClusterHealth.await(dcs, List.of(), Duration.ofSeconds(60)).members().stream().map(m -> m.name()).toList();
        DrillTrial trial = new DrillTrial(scenario, arg, access, dcs, nodes, concurrency,
                Duration.ofMillis(Math.round(settleSeconds * 1000)), Duration.ofSeconds(timeoutSeconds), freeze, progress);
        for (int i = 1; i <= trials; i++) {
            try {
                trial.run(i, results::add);
            } catch (CliException e) {
                String stopped = "stopped after trial " + i + ": " + e.getMessage();
                progress.println(stopped);
                progress.flush();
                return stopped;
            }
        }
        return null;
    }

    private void writeLog(List<TrialResult> results) {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        try (var w = Files.newBufferedWriter(log)) {
            for (TrialResult r : results) {
                for (boolean stranded : new boolean[] {false, true}) {
                    for (WriteAttempt a : stranded ? r.strandedAttempts() : r.attempts()) {
                        var node = mapper.valueToTree(a);
                        ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("trial", r.trial()).put("stranded", stranded);
                        w.write(mapper.writeValueAsString(node));
                        w.newLine();
                    }
                }
            }
        } catch (IOException e) {
            throw new CliException(log + ": cannot be written: " + e.getMessage(), e);
        }
    }
}
