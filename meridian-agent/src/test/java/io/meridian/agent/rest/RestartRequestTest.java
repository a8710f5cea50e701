package io.meridian.agent.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Patroni's {@code POST /restart} body: parsing with Patroni's codes, and the conditions. */
class RestartRequestTest {

    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    private static int rejected(String body) {
        try {
            RestartRequest.parse(body, NOW);
        } catch (RestartRequest.Rejected e) {
            return e.status();
        }
        return 0;
    }

    @Test
    void anEmptyBodyRestartsNowUnconditionally() {
        for (String body : new String[] {"", "{}", "  "}) {
            RestartRequest r = RestartRequest.parse(body, NOW);
            assertThat(r.schedule()).isNull();
            assertThat(r.refusal(true, 150013, false)).isNull();
            assertThat(r.refusal(false, 150013, false)).isNull();
        }
    }

    @Test
    void theBodysKeysAreReadAsPatroniReadsThem() {
        RestartRequest r = RestartRequest.parse("{\"schedule\": \"2026-12-06T13:30:00+01:00\", \"role\": \"replica\","
                + " \"postgres_version\": \"15.6\", \"timeout\": \"2min\", \"restart_pending\": true}", NOW);
        assertThat(r.schedule()).isEqualTo(Instant.parse("2026-12-06T12:30:00Z"));
        assertThat(r.role()).isEqualTo("replica");
        assertThat(r.postgresVersion()).isEqualTo(150006);
        assertThat(r.timeoutSeconds()).isEqualTo(120);
        assertThat(r.restartPending()).isTrue();
        assertThat(r.describe()).containsEntry("schedule", "2026-12-06T12:30:00.000000+00:00")
                .containsEntry("role", "replica").containsEntry("restart_pending", true);
        assertThat(RestartRequest.versionNumber("9.5.3")).isEqualTo(90503);
        assertThat(RestartRequest.parse("{\"schedule\": \"2026-12-06 13:00:00+00:00\"}", NOW).schedule())
                .isEqualTo(Instant.parse("2026-12-06T13:00:00Z"));
    }

    @Test
    void aBadBodyIsRefusedWithPatronisStatus() {
        // The codes the recorded Patroni 3.0.2 answered (src/test/resources/patroni/restart.json).
        assertThat(rejected("{\"bogus\": 1}")).isEqualTo(400);
        assertThat(rejected("{\"role\": \"leader\"}")).isEqualTo(400);
        assertThat(rejected("{\"postgres_version\": \"15\"}")).isEqualTo(400);
        assertThat(rejected("{\"postgres_version\": \"a.b\"}")).isEqualTo(400);
        assertThat(rejected("{\"timeout\": \"-1\"}")).isEqualTo(400);
        assertThat(rejected("{\"timeout\": \"soon\"}")).isEqualTo(400);
        assertThat(rejected("{\"schedule\": \"2026-12-06T13:00:00\"}")).isEqualTo(400);
        assertThat(rejected("{\"schedule\": \"2000-01-01T00:00:00+00:00\"}")).isEqualTo(422);
        assertThat(rejected("{\"schedule\": \"tomorrow\"}")).isEqualTo(422);
        assertThat(rejected("[1]")).isEqualTo(400);
        assertThat(rejected("{")).isEqualTo(400);
        assertThatThrownBy(() -> RestartRequest.parse("{\"bogus\": 1}", NOW))
                .hasMessage("Unknown filter for the scheduled restart: bogus");
    }

    @Test
    void theConditionsAreRoleVersionAndPendingRestart() {
        RestartRequest primaryOnly = RestartRequest.parse("{\"role\": \"primary\"}", NOW);
        assertThat(primaryOnly.refusal(true, 150013, false)).isNull();
        assertThat(primaryOnly.refusal(false, 150013, false)).isEqualTo("host role mismatch");
        assertThat(RestartRequest.parse("{\"role\": \"master\"}", NOW).refusal(true, 150013, false)).isNull();
        assertThat(RestartRequest.parse("{\"role\": \"replica\"}", NOW).refusal(true, 150013, false))
                .isEqualTo("host role mismatch");
        // postgres_version: restart only a server older than the version given (after a minor upgrade).
        RestartRequest upgrade = RestartRequest.parse("{\"postgres_version\": \"15.14\"}", NOW);
        assertThat(upgrade.refusal(true, 150013, false)).isNull();
        assertThat(upgrade.refusal(true, 150014, false)).isEqualTo("postgres version mismatch");
        RestartRequest pending = RestartRequest.parse("{\"restart_pending\": true}", NOW);
        assertThat(pending.refusal(false, 150013, true)).isNull();
        assertThat(pending.refusal(false, 150013, false)).isEqualTo("pending restart flag is not set");
        assertThat(RestartRequest.parse("{\"restart_pending\": false}", NOW).refusal(false, 150013, false)).isNull();
    }
}
