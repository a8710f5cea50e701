package io.meridian.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's {@link Alerts} and Prometheus' {@code deploy/prometheus/meridian-rules.yml} must say the
 * same thing: same alert names and severities, same thresholds. Change one, this fails until the
 * other follows.
 */
class AlertRulesAgreementTest {

    private static final Path RULES = Path.of("..", "deploy", "prometheus", "meridian-rules.yml");
    private static final AlertThresholds T = AlertThresholds.DEFAULTS;
    private static final List<JsonNode> rules = new ArrayList<>();

    @BeforeAll
    static void readRules() throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile());
        root.path("groups").forEach(g -> g.path("rules").forEach(rules::add));
        assertThat(rules).as("rules in " + RULES).isNotEmpty();
    }

    private static JsonNode rule(String alert, String severity) {
        return rules.stream().filter(r -> alert.equals(r.path("alert").asText())
                        && severity.equals(r.path("labels").path("severity").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + severity + " rule " + alert + " in " + RULES));
    }

    private static String expr(String alert, String severity) {
        return rule(alert, severity).path("expr").asText().replaceAll("\\s+", " ").strip();
    }

    @Test
    void everyAlertTheAgentRaisesIsARuleWithTheSameSeverity() {
        Set<String> warnings = Set.of("MeridianLeaderFlapping", "MeridianReplicationLagBytes",
                "MeridianReplicationLagSeconds", "MeridianMemberNotStreaming", "MeridianSlotInactive",
                "MeridianSlotRetainedWal", "MeridianSyncStandbyMissing");
        Set<String> criticals = Set.of("MeridianNoLeader", "MeridianReplicationLagBytes",
                "MeridianReplicationLagSeconds", "MeridianSyncQuorumLost");
        warnings.forEach(a -> rule(a, Alert.WARNING));
        criticals.forEach(a -> rule(a, Alert.CRITICAL));
    }

    @Test
    void lagThresholdsAreTheSame() {
        assertThat(expr("MeridianReplicationLagBytes", Alert.WARNING)).endsWith("> " + T.lagWarningBytes());
        assertThat(expr("MeridianReplicationLagBytes", Alert.CRITICAL)).endsWith("> " + T.lagCriticalBytes());
        assertThat(expr("MeridianReplicationLagSeconds", Alert.WARNING)).endsWith("> " + (long) T.lagWarningSeconds());
        assertThat(expr("MeridianReplicationLagSeconds", Alert.CRITICAL)).endsWith("> " + (long) T.lagCriticalSeconds());
    }

    @Test
    void slotThresholdsAreTheSame() {
        assertThat(rule("MeridianSlotInactive", Alert.WARNING).path("for").asText())
                .isEqualTo(T.slotInactive().toMinutes() + "m");
        assertThat(expr("MeridianSlotRetainedWal", Alert.WARNING)).endsWith("> " + T.slotRetainedBytes());
    }

    @Test
    void flappingCountsTheSameWindowAndTwoChangesPerPromotion() {
        // Prometheus counts leader-key changes (a failover is two: gone, then new); Alerts counts promotions.
        assertThat(expr("MeridianLeaderFlapping", Alert.WARNING))
                .contains("[" + T.flappingWindow().toMinutes() + "m]")
                .endsWith(">= " + 2 * T.flappingPromotions());
    }
}
