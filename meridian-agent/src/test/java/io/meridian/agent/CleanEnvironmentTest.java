package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.core.config.DynamicConfig;
import io.meridian.core.postgres.PgState;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The environment an agent is started from cannot break replication, and a replica that cannot
 * stream says why instead of restarting PostgreSQL in a loop. Real etcd, real PostgreSQL 15.
 */
class CleanEnvironmentTest {

    private static final List<String> REGIONS = List.of("paris", "newyork");
    private static final Duration BOOT = Duration.ofSeconds(90);
    @AutoClose
    private TestCluster cluster;

    /** What a shell with a superuser's connection settings exported hands down to the agent. */
    private static Map<String, String> polluted() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("PGPASSWORD", "the-superusers-password-not-the-replicators");
        env.put("PGUSER", "nobody");
        env.put("PGHOST", "/nonexistent");
        env.put("PGPORT", "1");
        env.put("PGDATABASE", "nope");
        env.put("PGSSLMODE", "require"); // the test nodes have no TLS: a connection requiring it fails
        env.put("PGOPTIONS", "-c work_mem=-1");
        env.put("PGPASSFILE", "/nonexistent/pgpass");
        env.put("PGAPPNAME", "not-the-member-name");
        env.put("PGTARGETSESSIONATTRS", "read-write");
        env.put("PGDATA", "/nonexistent");
        return env;
    }

    @Test
    void anAgentStartedWithPgPasswordSetStillStreams() throws Exception {
        cluster = new TestCluster(REGIONS, DynamicConfig.DEFAULTS);
        cluster.inheritedEnv = polluted();
        cluster.startAll();
        String leader = cluster.awaitLeader(BOOT);
        cluster.awaitStreaming(1, BOOT);
        String replica = cluster.names().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        try (Connection c = cluster.connect(leader); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE env (x int)");
            s.execute("INSERT INTO env VALUES (7)");
            var rs = s.executeQuery("SELECT application_name FROM pg_stat_replication");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("primary_conninfo's application_name, not PGAPPNAME's").isEqualTo(replica);
        }
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
            try (Connection c = cluster.connect(replica); Statement s = c.createStatement();
                 var rs = s.executeQuery("SELECT x FROM env")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(7);
            }
        });
    }

    @Test
    void aReplicaThatCannotAuthenticateSaysWhyAndIsNotRestartedInALoop() throws Exception {
        cluster = TestCluster.booted(REGIONS, DynamicConfig.DEFAULTS, false, BOOT);
        String old = cluster.awaitLeader(BOOT);
        cluster.crashNode(old);
        String leader = cluster.awaitNewLeader(old, Duration.ofSeconds(60));
        // The old primary comes back with a replication password the leader does not know: it is
        // on the old timeline and its WAL receiver can never connect, the case that used to stop
        // PostgreSQL for a divergence check every ttl + loop_wait.
        cluster.setReplicationPassword(old, "not-the-replication-password");
        cluster.start(old);
        Agent agent = cluster.agents.get(old);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(agent.status().lastCycle())
                        .startsWith("not streaming from " + leader + ": password authentication failed for user \"replicator\" (since "));
        PgState state = cluster.observe(old);
        assertThat(state.walReceiverError()).isNotNull();
        assertThat(state.walReceiverError().connecting()).isTrue();
        assertThat(state.walReceiverError().reason()).isEqualTo("password authentication failed for user \"replicator\"");
        assertThat(cluster.cluster().member(old).orElseThrow().isStreaming()).isFalse();

        long pid = cluster.postmasterPid(old);
        assertThat(pid).isPositive();
        // Three times ttl + loop_wait: the old loop stopped PostgreSQL once in each.
        await().during(Duration.ofSeconds(21)).atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250))
                .until(() -> cluster.postmasterPid(old) == pid);
        assertThat(agent.status().lastCycle()).contains("password authentication failed");
    }
}
