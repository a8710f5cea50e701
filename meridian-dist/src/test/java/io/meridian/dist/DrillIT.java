package io.meridian.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.lab.cli.LabPlan;
import io.meridian.lab.cli.LabState;
import io.meridian.lab.drill.Dsn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The drill against a real lab (etcd, three PostgreSQL nodes and their agents, started by the
 * built jar), checked by a writer of the test's own that knows nothing of etcd: it writes to
 * whichever node accepts writes. One lab for the class: starting it costs half a minute or more.
 * Runs in the integration-test phase, after the jar is packaged.
 */
class DrillIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path dir;

    @BeforeAll
    static void labUp() throws Exception {
        dir = LabCli.folder("meridian-drill-it");
        // With --tls: this lab's replication, rewinds, REST calls and router run over TLS (WanDrillIT's do not).
        LabCli.up(dir, "--tls");
    }

    @AfterAll
    static void labDown() throws Exception {
        LabCli.down(dir, "drill-it-logs");
    }

    @Test
    void killNodeRtoMatchesAnIndependentWriterAndTheJsonHasTheDocumentedFields() throws Exception {
        LabState lab = LabState.read(LabCli.lab(dir));
        List<Dsn> nodes = lab.nodes().stream()
                .map(n -> Dsn.parse(LabPlan.dsn(n.pgPort(), lab.path().resolve("pgpass")))).toList();
        OwnWriter own = new OwnWriter(nodes);
        own.start();
        try {
            await("the test's own writer gets its first acknowledgement").atMost(Duration.ofMinutes(2))
                    .until(() -> own.acks().size() > 5);
            LabCli.Run drill = meridian(Duration.ofMinutes(10), "drill", "kill-node", "--trials", "1", "--format", "json",
                    "--settle", "2", "--lab-dir", LabCli.lab(dir).toString());
            assertThat(drill.rc()).as("drill:\n" + drill.out() + drill.err()).isZero();
            JsonNode report = JSON.readTree(drill.out());
            assertThat(report.get("scenario").asText()).isEqualTo("kill-node");
            assertThat(report.has("summary")).isTrue();
            JsonNode t = report.get("trials").get(0);
            for (String field : List.of("rto_seconds", "lost_writes", "split_brain_writes", "new_leader", "new_region", "timeline")) {
                assertThat(t.has(field)).as(field).isTrue();
            }
            assertThat(t.get("new_leader").asText()).isNotEqualTo(t.get("old_leader").asText());
            assertThat(t.get("timeline").asLong()).isGreaterThan(1);
            assertThat(t.get("split_brain_writes").asLong()).isZero();
            assertThat(report.get("summary").get("rto_seconds").get("median").asDouble()).isEqualTo(t.get("rto_seconds").asDouble());

            // The independent figure: the longest stretch without an acknowledgement in the test's
            // own writes, which must contain the drill's fault time.
            List<long[]> acks = own.acks();
            long faultMs = t.get("fault_at_ms").asLong();
            long[] gap = longestGap(acks);
            assertThat(gap[0]).as("own writes stopped around the fault").isBetween(faultMs - 1500, faultMs + 1500);
            double independent = (gap[1] - faultMs) / 1000.0;
            double drillRto = t.get("rto_seconds").asDouble();
            // Both writers retry every 50 ms; on a loaded 2-core machine a write can take a few hundred ms.
            assertThat(drillRto).as("drill RTO vs the test's own (%.2f s)", independent)
                    .isCloseTo(independent, org.assertj.core.data.Offset.offset(Math.max(1.5, 0.25 * independent)));
        } finally {
            own.stop();
        }
    }

    @Test
    void aTlsLabEncryptsReplicationAndServesHttps() throws Exception {
        LabState lab = LabState.read(LabCli.lab(dir));
        await("every replica streams").atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> {
            for (LabState.Node n : lab.nodes()) {
                Dsn dsn = Dsn.parse(LabPlan.dsn(n.pgPort(), lab.path().resolve("pgpass")));
                try (Connection c = DriverManager.getConnection(dsn.jdbcUrl(), dsn.properties("drill-it")); Statement s = c.createStatement();
                     var rs = s.executeQuery("SELECT count(*) FILTER (WHERE l.ssl), count(*) FROM pg_stat_replication r "
                             + "JOIN pg_stat_ssl l USING (pid)")) {
                    rs.next();
                    if (rs.getInt(2) == lab.nodes().size() - 1) {
                        return rs.getInt(1) == rs.getInt(2); // the leader: every WAL sender encrypted
                    }
                }
            }
            return false;
        });
        String nodeFile = Files.readString(Path.of(lab.nodes().get(0).config()));
        assertThat(nodeFile).contains("sslmode: verify-full").contains("ca_file:");
        // The agents serve HTTPS, checked against the lab's authority (as the CLI and the other agents do).
        var http = io.meridian.core.tls.PemTls.restClient(lab.target().restTls()).connectTimeout(Duration.ofSeconds(5)).build();
        for (LabState.Node n : lab.nodes()) {
            var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + n.restPort() + "/status"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(n.name() + " /status over HTTPS").isEqualTo(200);
        }
    }

    /** [end of the ack before, end of the ack after] the longest stretch without acknowledgements, epoch ms. */
    private static long[] longestGap(List<long[]> acks) {
        long[] best = {0, 0};
        for (int i = 1; i < acks.size(); i++) {
            if (acks.get(i)[0] - acks.get(i - 1)[0] > best[1] - best[0]) {
                best = new long[] {acks.get(i - 1)[0], acks.get(i)[0]};
            }
        }
        return best;
    }

    /** Writes one row at a time to whichever node takes it, moving to the next node on any failure. */
    static final class OwnWriter {
        private final List<Dsn> nodes;
        private final List<long[]> acks = new ArrayList<>();
        private volatile boolean running = true;
        private final Thread thread = new Thread(this::run, "drill-it-own-writer");

        OwnWriter(List<Dsn> nodes) {
            this.nodes = nodes;
        }

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }

        synchronized List<long[]> acks() {
            return new ArrayList<>(acks);
        }

        private void run() {
            int i = 0;
            Connection c = null;
            while (running) {
                Dsn d = nodes.get(i % nodes.size());
                try {
                    if (c == null) {
                        c = DriverManager.getConnection(d.jdbcUrl(), d.properties("drill-it"));
                        try (Statement s = c.createStatement()) {
                            s.execute("CREATE TABLE IF NOT EXISTS drill_it (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())");
                        }
                    }
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("INSERT INTO drill_it DEFAULT VALUES");
                    }
                    synchronized (this) {
                        acks.add(new long[] {System.currentTimeMillis(), i % nodes.size()});
                    }
                } catch (SQLException e) {
                    close(c);
                    c = null;
                    i++;
                    try {
                        TimeUnit.MILLISECONDS.sleep(50); // the drill's own retry pace
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
            close(c);
        }

        private static void close(Connection c) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (SQLException ignored) {
                // a dead server: nothing to release
            }
        }
    }

    private static LabCli.Run meridian(Duration timeout, String... args) throws IOException, InterruptedException {
        return LabCli.meridian(dir, timeout, args);
    }
}
