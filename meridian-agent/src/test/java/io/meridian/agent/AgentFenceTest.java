package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.core.dcs.LeaseRenewal;
import io.meridian.core.postgres.LocalPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An agent that dies while leading, its PostgreSQL left running (SIGKILL of the JVM, systemd's
 * {@code KillMode=process}): nothing in the JVM renews or fences any more, and the keeper it
 * armed stops PostgreSQL before etcd can hand the leader key to anyone else.
 */
class AgentFenceTest {

    private TestCluster cluster;

    @AfterEach
    void tearDown() {
        Path dir = cluster == null ? null : cluster.dir;
        if (cluster != null) {
            cluster.close();
        }
        if (dir != null) {
            // A keeper whose folder is gone and that is disarmed (it fenced) exits on its own.
            await().atMost(Duration.ofSeconds(15)).until(() -> keepersUnder(dir).isEmpty());
        }
    }

    @Test
    void aLeaderWhoseAgentDiesHasItsPostgresKilledByTheKeeperBeforeTheLeaseCanExpire() throws Exception {
        cluster = new TestCluster(List.of("paris"), DynamicConfig.DEFAULTS);
        String name = cluster.names().get(0);
        NodeConfig n = cluster.nodes.get(name);
        EtcdDcs dcs = EtcdDcs.connect(n.etcd().endpoints(), "/meridian", TestCluster.CLUSTER, name, n.bootstrap().ttl(),
                n.bootstrap().retryTimeout());
        Agent agent = new Agent(n, dcs, new LocalPostgres(n));
        agent.start();
        cluster.awaitLeader(Duration.ofSeconds(120));
        long postmaster = cluster.postmasterPid(name);

        agent.abandon(); // the JVM-side fence goes with it, as when the process is killed
        long diedAt = System.nanoTime();
        LeaseRenewal last = dcs.leaseRenewal().orElseThrow();
        assertThat(FenceKeeper.alive(postmaster)).as("PostgreSQL outlives its agent at first").isTrue();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> !FenceKeeper.alive(postmaster));
        long seenDeadAt = System.nanoTime();
        long beforeExpiryMillis = TimeUnit.NANOSECONDS.toMillis(last.earliestExpiryNanos() - seenDeadAt);
        System.out.printf("fence: PostgreSQL seen dead %d ms after its agent, %d ms before the lease could expire%n",
                TimeUnit.NANOSECONDS.toMillis(seenDeadAt - diedAt), beforeExpiryMillis);
        assertThat(beforeExpiryMillis).as("ms left on the lease (etcd's TTL %d ms) when PostgreSQL was seen dead",
                last.grantedTtlMillis()).isPositive();
        // Its one line comes once every kill is done.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Files.readString(n.fence().dir().resolve("keeper.log")))
                .contains("fenced: killed postmaster " + postmaster));
    }

    static List<Long> keepersUnder(Path dir) {
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                String cmd = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
                return cmd.contains(FenceKeeper.SCRIPT) && cmd.contains(dir.toString());
            } catch (IOException e) {
                return false;
            }
        }).map(ProcessHandle::pid).toList();
    }
}
