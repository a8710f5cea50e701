package io.meridian.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's region drill from the packaged jar: a WAN lab in cross-region quorum mode, then
 * {@code drill region-outage paris}, which kills paris's node, cuts paris's links (its etcd member
 * goes silent) and measures. Losing the leader's whole region must lose no acknowledged write and
 * leave a leader in another region; the time it took is reported, not gated on.
 */
class WanDrillIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path dir;

    @BeforeAll
    static void labUp() throws Exception {
        dir = LabCli.folder("meridian-wan-it");
        LabCli.up(dir, "--wan", "--synchronous-mode", "region_quorum");
    }

    @AfterAll
    static void labDown() throws Exception {
        LabCli.down(dir, "wan-drill-it-logs");
    }

    private static String lab() {
        return LabCli.lab(dir).toString();
    }

    @Test
    void losingTheLeadersRegionLosesNoAcknowledgedWriteInRegionQuorumMode() throws Exception {
        LabCli.Run drill = LabCli.meridian(dir, Duration.ofMinutes(10), "drill", "region-outage", "paris", "--trials", "1",
                "--format", "json", "--settle", "2", "--lab-dir", lab());
        assertThat(drill.rc()).as("drill:\n" + drill.out() + drill.err()).isZero();
        JsonNode report = JSON.readTree(drill.out());
        JsonNode t = report.get("trials").get(0);
        assertThat(t.get("error").isNull()).as("trial error: " + t.get("error")).isTrue();
        assertThat(t.get("old_region").asText()).isEqualTo("paris");
        assertThat(t.get("new_region").asText()).isIn("newyork", "tokyo");
        assertThat(t.get("lost_writes").isNumber()).as("lost writes were counted on the new leader").isTrue();
        assertThat(t.get("lost_writes").asLong()).as("acknowledged writes lost").isZero();
        assertThat(t.get("split_brain_writes").asLong()).isZero();
        assertThat(report.get("summary").get("recovered").asInt()).isEqualTo(1);
        System.out.printf("WAN region outage of paris: writes again after %.2f s on %s (%s)%n",
                t.get("rto_seconds").asDouble(), t.get("new_leader").asText(), t.get("new_region").asText());
    }
}
