package io.meridian.lab.drill;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.meridian.core.console.TextTable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A drill's outcome: every trial and min/median/max over them, as {@code --format json} prints it
 * ({@code scenario}, {@code trials}, {@code summary}, {@code config}) or as a table.
 *
 * @param config the cluster settings the trials ran with ({@code ttl}, {@code loop_wait},
 *               {@code retry_timeout} and whatever {@code --set} changed), or empty when unknown
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DrillReport(String scenario, String argument, int concurrency, List<TrialResult> trials, Summary summary,
                          Map<String, Object> config) {

    public DrillReport {
        config = config == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(config));
    }

    /** min, median and max of one figure over the trials that have it; null when none has. */
    public record Spread(Double min, Double median, Double max) {
        static Spread of(List<TrialResult> trials, Function<TrialResult, Number> figure) {
            double[] v = trials.stream().map(figure).filter(Objects::nonNull).mapToDouble(Number::doubleValue).sorted().toArray();
            if (v.length == 0) {
                return new Spread(null, null, null);
            }
            double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
            return new Spread(v[0], median, v[v.length - 1]);
        }
    }

    public record Summary(int trials, int recovered,
                          @JsonProperty("rto_seconds") Spread rtoSeconds,
                          @JsonProperty("max_gap_seconds") Spread maxGapSeconds,
                          @JsonProperty("lost_writes") Spread lostWrites,
                          @JsonProperty("lost_writes_total") long lostWritesTotal,
                          @JsonProperty("split_brain_writes") Spread splitBrainWrites,
                          @JsonProperty("split_brain_writes_total") long splitBrainWritesTotal,
                          @JsonProperty("direct_split_brain_writes") Spread directSplitBrainWrites,
                          @JsonProperty("direct_split_brain_writes_total") long directSplitBrainWritesTotal) {
    }

    public static DrillReport of(Scenario scenario, String argument, int concurrency, List<TrialResult> trials) {
        return of(scenario, argument, concurrency, trials, Map.of());
    }

    public static DrillReport of(Scenario scenario, String argument, int concurrency, List<TrialResult> trials,
            Map<String, Object> config) {
        Summary s = new Summary(trials.size(), (int) trials.stream().filter(TrialResult::recovered).count(),
                Spread.of(trials, TrialResult::rtoSeconds), Spread.of(trials, TrialResult::maxGapSeconds),
                Spread.of(trials, TrialResult::lostWrites),
                trials.stream().map(TrialResult::lostWrites).filter(Objects::nonNull).mapToLong(Long::longValue).sum(),
                Spread.of(trials, TrialResult::splitBrainWrites),
                trials.stream().mapToLong(TrialResult::splitBrainWrites).sum(),
                Spread.of(trials, TrialResult::directSplitBrainWrites),
                trials.stream().mapToLong(TrialResult::directSplitBrainWrites).sum());
        return new DrillReport(scenario.cliName(), argument, concurrency, trials, s, config);
    }

    public String render() {
        TextTable t = new TextTable(List.of("Trial", "Fault", "Old leader", "New leader", "Region", "TL", "RTO s",
                "Max gap s", "Acked", "Lost", "Split-brain", "Direct SB"), Set.of(0, 5, 6, 7, 8, 9, 10, 11));
        for (TrialResult r : trials) {
            t.row(List.of(Integer.toString(r.trial()), r.fault(), r.oldLeader(), String.valueOf(r.newLeader()),
                    String.valueOf(r.newRegion()), Long.toString(r.timeline()), seconds(r.rtoSeconds()),
                    seconds(r.maxGapSeconds()), Long.toString(r.ackedWrites()),
                    r.lostWrites() == null ? "?" : r.lostWrites().toString(), Long.toString(r.splitBrainWrites()),
                    r.directSplitBrainWrites() + "/" + r.directAckedWrites()));
        }
        StringBuilder out = new StringBuilder(t.render("Drill: " + scenario + (argument == null ? "" : " " + argument)
                + ", " + trials.size() + " trial(s), " + concurrency + " writer(s) and one direct to the old leader"
                + (config.isEmpty() ? "" : ", config " + configText())));
        out.append(String.format(Locale.ROOT, "RTO (s)          min %s  median %s  max %s   (%d of %d recovered)%n",
                seconds(summary.rtoSeconds().min()), seconds(summary.rtoSeconds().median()), seconds(summary.rtoSeconds().max()),
                summary.recovered(), summary.trials()));
        out.append(String.format(Locale.ROOT, "Max gap (s)      min %s  median %s  max %s%n", seconds(summary.maxGapSeconds().min()),
                seconds(summary.maxGapSeconds().median()), seconds(summary.maxGapSeconds().max())));
        out.append(String.format(Locale.ROOT, "Lost writes      min %s  median %s  max %s   (total %d)%n", count(summary.lostWrites().min()),
                count(summary.lostWrites().median()), count(summary.lostWrites().max()), summary.lostWritesTotal()));
        out.append(String.format(Locale.ROOT, "Split-brain      min %s  median %s  max %s   (total %d)%n",
                count(summary.splitBrainWrites().min()), count(summary.splitBrainWrites().median()),
                count(summary.splitBrainWrites().max()), summary.splitBrainWritesTotal()));
        out.append(String.format(Locale.ROOT, "Direct SB        min %s  median %s  max %s   (total %d: commits the old leader"
                        + " acknowledged to a client connected straight to it after another node's promotion)%n",
                count(summary.directSplitBrainWrites().min()), count(summary.directSplitBrainWrites().median()),
                count(summary.directSplitBrainWrites().max()), summary.directSplitBrainWritesTotal()));
        trials.stream().filter(r -> r.error() != null)
                .forEach(r -> out.append("trial ").append(r.trial()).append(": ").append(r.error()).append('\n'));
        return out.toString().stripTrailing();
    }

    /** {@code ttl=30 loop_wait=5 retry_timeout=10}, in the order the settings were given. */
    String configText() {
        StringBuilder b = new StringBuilder();
        config.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return b.toString();
    }

    private static String seconds(Double s) {
        return s == null ? "-" : String.format(Locale.ROOT, "%.2f", s);
    }

    private static String count(Double n) {
        return n == null ? "-" : (n == Math.rint(n) ? Long.toString(n.longValue()) : String.format(Locale.ROOT, "%.1f", n));
    }

    static double[] values(List<TrialResult> trials, Function<TrialResult, Number> f) {
        return trials.stream().map(f).filter(Objects::nonNull).mapToDouble(Number::doubleValue).toArray();
    }

    @Override
    public String toString() {
        return "DrillReport[" + scenario + ", " + trials.size() + " trials, " + Arrays.toString(values(trials, TrialResult::rtoSeconds)) + "]";
    }
}
