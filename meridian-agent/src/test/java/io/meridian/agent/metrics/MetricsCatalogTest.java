package io.meridian.agent.metrics;

import static io.meridian.agent.metrics.ClusterFixtures.MIB;
import static io.meridian.agent.metrics.ClusterFixtures.connection;
import static io.meridian.agent.metrics.ClusterFixtures.primaryState;
import static io.meridian.agent.metrics.ClusterFixtures.replicaState;
import static io.meridian.agent.metrics.ClusterFixtures.slot;
import static io.meridian.agent.metrics.ClusterFixtures.threeRegions;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/metrics.txt} lists every sample name the agent exports; {@code deploy/check} refuses a
 * Grafana panel or alert rule that queries a name not on it. This test keeps the list honest: it
 * fails when the agent exports a name the list lacks, or the list names one the agent no longer has.
 */
class MetricsCatalogTest {

    private static final Path CATALOG = Path.of("..", "deploy", "metrics.txt");

    @Test
    void everyExportedSampleNameIsInTheCatalogAndNothingElse() throws IOException {
        assertThat(CATALOG).as("run from the meridian-agent module directory").exists();
        Set<String> listed = Files.readAllLines(CATALOG).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toCollection(TreeSet::new));

        Set<String> exported = new TreeSet<>();
        exported.addAll(new ScrapeText(everythingAPrimaryExports()).sampleNames());
        exported.addAll(new ScrapeText(everythingAReplicaExports()).sampleNames());

        assertThat(exported).as("sample names exported by AgentMetrics vs " + CATALOG)
                .containsExactlyInAnyOrderElementsOf(listed);
    }

    private static String everythingAPrimaryExports() {
        ClusterFixtures.ManualClock clock = new ClusterFixtures.ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
        AgentMetrics metrics = new AgentMetrics("geo", "paris-1", "paris", clock);
        long head = 1024 * MIB;
        for (int cycle = 0; cycle < 2; cycle++) {
            long at = head + cycle * MIB;
            metrics.update(threeRegions(), primaryState(at, List.of(connection("newyork-1", at, 2 * MIB, 0.3)),
                    List.of(slot("newyork_1", true, 2 * MIB))), 9);
            clock.advanceMillis(1000);
        }
        metrics.recordCycle(0.01, true);
        metrics.recordFailover();
        metrics.recordSwitchover();
        return metrics.scrape();
    }

    private static String everythingAReplicaExports() {
        AgentMetrics metrics = new AgentMetrics("geo", "tokyo-1", "tokyo");
        metrics.update(threeRegions(), replicaState(1000 * MIB, 999 * MIB, true, 0.8), 7);
        return metrics.scrape();
    }
}
