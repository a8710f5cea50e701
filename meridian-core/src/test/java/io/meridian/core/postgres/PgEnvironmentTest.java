package io.meridian.core.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PgEnvironmentTest {

    @Test
    void removesEveryLibpqVariableAndKeepsTheRest() {
        Map<String, String> env = new HashMap<>(Map.of(
                "PGPASSWORD", "s", "PGUSER", "u", "PGHOST", "h", "PGSERVICE", "svc", "PGSSLMODE", "require",
                "PGOPTIONS", "-c work_mem=-1", "PGREQUIREAUTH", "password", "PGSSLNEGOTIATION", "direct",
                "PATH", "/usr/bin:/bin", "HOME", "/var/lib/postgresql"));
        env.put("LANG", "C");
        PgEnvironment.clean(env);
        assertThat(env).containsOnlyKeys("PATH", "HOME", "LANG");
    }

    /** The seam the agent's processes go through: a polluted inherited environment, cleaned, plus Meridian's own. */
    @Test
    void aCommandSeesOnlyWhatMeridianSets() throws Exception {
        Map<String, String> inherited = new HashMap<>(System.getenv());
        inherited.put("PGPASSWORD", "inherited");
        inherited.put("PGUSER", "inherited");
        inherited.put("PGPASSFILE", "/inherited/pgpass");
        inherited.put("MERIDIAN_UNRELATED", "kept");
        PgCommand.Result r = new PgCommand(new OsUser("postgres"), inherited)
                .withEnv("PGPASSFILE", "/meridian/pgpass")
                .run(List.of("env"), Duration.ofSeconds(30));
        assertThat(r.ok()).as(r.output()).isTrue();
        List<String> pg = r.lines().stream().filter(l -> l.startsWith("PG")).toList();
        assertThat(pg).containsExactly("PGPASSFILE=/meridian/pgpass");
        assertThat(r.lines()).contains("LC_ALL=C");
        if (!System.getProperty("user.name").equals("root")) {
            assertThat(r.lines()).contains("MERIDIAN_UNRELATED=kept"); // runuser would keep it too, but not HOME etc.
        }
    }
}
