package io.meridian.lab.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.core.console.JsonOutput;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrillReportTest {

    private static TrialResult trial(int n, Double rto, long lost) {
        return trial(n, rto, lost, 0, 0);
    }

    private static TrialResult trial(int n, Double rto, long lost, long split, long directSplit) {
        List<WriteAttempt> attempts = List.of(
                new WriteAttempt(1, 0, 1_000_000_000L, 1_100_000_000L, true, "127.0.0.1:1", null),
                new WriteAttempt(2, 0, 3_000_000_000L, 3_000_000_000L + Math.round((rto == null ? 0 : rto) * 1e9), rto != null, "127.0.0.1:2", null));
        return new TrialResult(n, "SIGKILL paris-1", "paris-1", "paris", "newyork-1", "newyork", 2, rto, rto, 1.0,
                1, 0, lost, List.of(), split, 40, directSplit, 1_700_000_000_000L, rto == null ? "no recovery" : null, 3_000_000_000L, attempts, List.of());
    }

    @Test
    void summarisesMinMedianMaxAndPrintsTheDocumentedJsonFields() throws Exception {
        DrillReport r = DrillReport.of(Scenario.KILL_NODE, null, 1, List.of(trial(1, 4.0, 0), trial(2, 2.0, 1), trial(3, 3.0, 0),
                trial(4, null, 0)));
        assertThat(r.summary().rtoSeconds()).isEqualTo(new DrillReport.Spread(2.0, 3.0, 4.0));
        assertThat(r.summary().recovered()).isEqualTo(3);
        assertThat(r.summary().lostWritesTotal()).isEqualTo(1);
        JsonNode json = JsonOutput.MAPPER.readTree(JsonOutput.write(r));
        assertThat(json.get("scenario").asText()).isEqualTo("kill-node");
        JsonNode t = json.get("trials").get(0);
        for (String field : List.of("rto_seconds", "lost_writes", "split_brain_writes", "new_leader", "new_region", "timeline")) {
            assertThat(t.has(field)).as(field).isTrue();
        }
        assertThat(t.has("attempts")).isFalse();
        assertThat(json.get("summary").get("rto_seconds").get("median").asDouble()).isEqualTo(3.0);
        assertThat(r.render()).contains("median 3.00").contains("3 of 4 recovered").contains("trial 4: no recovery");
        assertThat(DrillChart.svg(r, s -> s)).startsWith("<svg").contains("trial 3").endsWith("</svg>\n");
    }

    @Test
    void countsTheDirectWritersSplitBrainWritesApartAndStatesTheConfig() throws Exception {
        DrillReport r = DrillReport.of(Scenario.FREEZE_AGENT, null, 1, List.of(trial(1, 12.0, 3, 560, 558), trial(2, 11.0, 0, 2, 0)),
                new java.util.LinkedHashMap<>(java.util.Map.of("ttl", 30L)));
        assertThat(r.summary().splitBrainWritesTotal()).isEqualTo(562);
        assertThat(r.summary().directSplitBrainWritesTotal()).isEqualTo(558);
        assertThat(r.summary().directSplitBrainWrites()).isEqualTo(new DrillReport.Spread(0.0, 279.0, 558.0));

        JsonNode json = JsonOutput.MAPPER.readTree(JsonOutput.write(r));
        assertThat(json.get("scenario").asText()).isEqualTo("freeze-agent");
        assertThat(json.get("config").get("ttl").asLong()).isEqualTo(30);
        JsonNode t = json.get("trials").get(0);
        assertThat(t.get("direct_split_brain_writes").asLong()).isEqualTo(558);
        assertThat(t.get("direct_acked_writes").asLong()).isEqualTo(40);
        assertThat(t.get("split_brain_writes").asLong()).isEqualTo(560);
        assertThat(json.get("summary").get("direct_split_brain_writes_total").asLong()).isEqualTo(558);
        assertThat(json.get("summary").get("split_brain_writes_total").asLong()).isEqualTo(562);

        String text = r.render();
        assertThat(text).contains("Direct SB").contains("558/40").contains("(total 558").contains("config ttl=30");
    }
}
