package io.meridian.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.meridian.cli.MeridianCli;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.cluster.Role;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.core.postgres.ParameterValidator;
import io.meridian.testkit.EtcdExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The operator verbs against a real etcd. The members are published by real lease-holding DCS
 * sessions standing in for agents (no PostgreSQL: what the verbs read and write is etcd).
 */
class ClusterVerbsTest {

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    private static final Lsn AT = Lsn.parse("0/3000000");
    private final List<EtcdDcs> agents = new ArrayList<>();
    private String cluster;
    private EtcdDcs paris;
    private EtcdDcs newyork;
    private EtcdDcs tokyo;

    private record Run(int code, String out, String err) {
    }

    @BeforeEach
    void threeAgents() throws Exception {
        cluster = "verbs" + System.nanoTime();
        paris = agent("paris-1");
        newyork = agent("newyork-1");
        tokyo = agent("tokyo-1");
        paris.touchMember(member("paris-1", "paris", Role.PRIMARY, AT, null));
        assertThat(paris.acquireLeader("paris-1")).isTrue();
        newyork.touchMember(member("newyork-1", "newyork", Role.REPLICA, AT, "streaming"));
        tokyo.touchMember(member("tokyo-1", "tokyo", Role.REPLICA, new Lsn(AT.value() - 8 * 1024 * 1024), "streaming"));
    }

    @AfterEach
    void close() throws Exception {
        try (Dcs admin = EtcdDcs.connect(ETCD.endpoints(), "/meridian", cluster, null, 6, 5)) {
            admin.deleteCluster();
        }
        agents.forEach(EtcdDcs::close);
    }

    private EtcdDcs agent(String name) {
        // Stand-ins, not what is under test: patient enough for a busy shared machine.
        EtcdDcs d = EtcdDcs.connect(ETCD.endpoints(), "/meridian", cluster, name, 6, 10);
        agents.add(d);
        return d;
    }

    private static Member member(String name, String region, Role role, Lsn lsn, String replication) {
        return member(name, region, role, lsn, replication, "http://127.0.0.1:1");
    }

    private static Member member(String name, String region, Role role, Lsn lsn, String replication, String apiUrl) {
        boolean primary = role == Role.PRIMARY;
        return new Member(name, region, role, "running", 1, primary ? lsn : Lsn.ZERO, primary ? Lsn.ZERO : lsn,
                primary ? Lsn.ZERO : lsn, replication, 0.2, "127.0.0.1", 5432, apiUrl, MemberTags.DEFAULT,
                System.currentTimeMillis());
    }

    private Run run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--etcd", String.join(",", ETCD.endpoints()), "--cluster", cluster));
        return execute(all);
    }

    private Run execute(List<String> all) {
        CommandLine cmd = MeridianCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void listShowsTheLeaderFirstAndLagInMegabytes() {
        Run r = run("list");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("+ Cluster: " + cluster)
                .contains("| paris-1   | 127.0.0.1:5432 | paris   | Leader  | running   |  1 |           |")
                .contains("| tokyo-1   | 127.0.0.1:5432 | tokyo   | Replica | streaming |  1 |         8 |");
        Run json = run("list", "--format", "json");
        assertThat(json.out()).contains("\"Member\" : \"paris-1\"", "\"Role\" : \"Leader\"");
    }

    @Test
    void pauseAndResumeFlipTheFlagByCompareAndSet() throws Exception {
        assertThat(run("pause").out()).contains("Cluster " + cluster + " paused");
        assertThat(paris.load().config().paused()).isTrue();
        assertThat(run("pause").out()).contains("is already paused");
        assertThat(run("list").out()).contains(" Maintenance mode: on");
        assertThat(run("resume").code()).isZero();
        assertThat(paris.load().config().paused()).isFalse();
    }

    @Test
    void editConfigValidatesShowsTheDiffAndWritesThroughTheLeadersAgent() throws Exception {
        List<String> patches = new ArrayList<>();
        HttpServer api = standInAgent(patches);
        try {
            paris.touchMember(member("paris-1", "paris", Role.PRIMARY, AT, null, "http://127.0.0.1:" + api.getAddress().getPort()));
            Path node = nodeFile();
            Run ok = run(node, "edit-config", "--set", "maximum_lag_on_failover=16777216", "--set", "parameters.work_mem=8MB", "--force");
            assertThat(ok.code()).as(ok.err()).isZero();
            assertThat(ok.out()).contains("- maximum_lag_on_failover: 1048576", "+ maximum_lag_on_failover: 16777216", "+   work_mem: 8MB",
                    "(checked by paris-1)");
            // Only what changed travels, as a merge patch the agent applies to what it reads.
            assertThat(patches).containsExactly("{\"maximum_lag_on_failover\":16777216,\"parameters\":{\"work_mem\":\"8MB\"}}");
            assertThat(paris.load().config().maximumLagOnFailover()).isEqualTo(16 << 20);
            assertThat(run("show-config").out()).contains("maximum_lag_on_failover: 16777216");

            Run bad = run(node, "edit-config", "--set", "loop_wait=5", "--force");
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.err()).isEqualTo("meridian: --set: ttl: expected loop_wait + 2 * retry_timeout <= ttl, got 5 + 2 * 2 > 6\n");
            assertThat(run(node, "edit-config", "--set", "maximum_lag_on_failover=16777216", "--force").out()).isEqualTo("No changes.\n");
            Run refused = run(node, "edit-config", "--set", "parameters.port=1", "--force");
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).contains("HTTP 400", "parameters.port: managed by Meridian");
            assertThat(patches).hasSize(2);
        } finally {
            api.stop(0);
        }
    }

    /**
     * Stands in for the leader's agent: PATCH /config merged and written by compare-and-set as the
     * agent does, refusing a managed parameter as the agent's validator would. Credentials checked.
     */
    private HttpServer standInAgent(List<String> patches) throws Exception {
        HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String auth = "Basic " + Base64.getEncoder().encodeToString("admin:secret".getBytes(StandardCharsets.UTF_8));
        api.createContext("/config", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status;
            String answer;
            if (!"PATCH".equals(ex.getRequestMethod()) || !auth.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                status = 401;
                answer = "{}";
            } else {
                patches.add(body);
                try {
                    Cluster c = paris.load();
                    DynamicConfig next = DynamicConfigParser.merge("PATCH /config", c.config(), body);
                    List<String> refused = ParameterValidator.refusals(next.parameters(), null, Set.of());
                    if (!refused.isEmpty()) {
                        status = 400;
                        answer = "{\"error\": \"" + String.join("; ", refused) + "\"}";
                    } else {
                        status = paris.setConfig(next, c.configVersion()) ? 200 : 409;
                        answer = "{}";
                    }
                } catch (Exception e) {
                    status = 500;
                    answer = "{}";
                }
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        api.start();
        return api;
    }

    /** A node file for -c: this cluster's etcd and the REST credentials the stand-in agent expects. */
    private Path nodeFile() throws Exception {
        Path f = Files.createTempFile("verbs-node-", ".yml");
        f.toFile().deleteOnExit();
        Files.writeString(f, "cluster: " + cluster + "\nname: cli\nregion: paris\n"
                + "etcd: {endpoints: [" + String.join(", ", ETCD.endpoints()) + "]}\n"
                + "postgresql: {data_dir: /tmp/verbs-unused, listen: 127.0.0.1:1, superuser: {password: x}, replication: {password: y}}\n"
                + "restapi: {listen: 127.0.0.1:2, username: admin, password: secret}\n");
        return f;
    }

    private Run run(Path nodeFile, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-c", nodeFile.toString()));
        return execute(all);
    }

    @Test
    void switchoverRefusesALaggingCandidateAndWritesNothing() throws Exception {
        Run r = run("switchover", "--candidate", "tokyo-1", "--force");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("meridian: switchover refused: tokyo-1 is 8.0 MB behind the leader, "
                + "more than maximum_lag_on_failover (1.0 MB)\n");
        assertThat(paris.load().switchover()).isNull();
        assertThat(run("switchover", "--leader", "newyork-1", "--force").err()).isEqualTo("meridian: the leader is paris-1, not newyork-1\n");
    }

    @Test
    void switchoverWritesTheRequestAndWaitsForTheNewLeader() throws Exception {
        // A stand-in for the agents' part: on the request, paris steps down and newyork takes over.
        Thread agentsAct = new Thread(() -> {
            try {
                long rev = 0;
                while (true) {
                    var c = paris.load();
                    SwitchoverRequest req = c.switchover();
                    if (req != null) {
                        assertThat(req.leader()).isEqualTo("paris-1");
                        assertThat(req.candidate()).isEqualTo("newyork-1");
                        paris.releaseLeader("paris-1");
                        newyork.acquireLeader("newyork-1");
                        newyork.touchMember(member("newyork-1", "newyork", Role.PRIMARY, AT, null));
                        paris.clearSwitchover(c.switchoverVersion());
                        return;
                    }
                    rev = c.revision();
                    paris.awaitChange(rev, Duration.ofSeconds(1));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "stand-in agents");
        agentsAct.start();
        Run r = run("switchover", "--candidate", "newyork-1", "--force", "--timeout", "20");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("switchover request written to etcd").contains("New leader: newyork-1");
        assertThat(paris.load().leader().name()).isEqualTo("newyork-1");
    }

    @Test
    void aRequestTheLeaderWithdrawsFailsAtOnceInsteadOfWaitingOut() throws Exception {
        Thread leaderRefuses = new Thread(() -> {
            try {
                while (true) {
                    var c = paris.load();
                    if (c.switchover() != null) {
                        paris.clearSwitchover(c.switchoverVersion());
                        return;
                    }
                    paris.awaitChange(c.revision(), Duration.ofSeconds(1));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "stand-in leader");
        leaderRefuses.start();
        long t0 = System.nanoTime();
        Run r = run("switchover", "--candidate", "newyork-1", "--force", "--timeout", "30");
        assertThat(r.err()).isEqualTo("meridian: switchover did not happen: paris-1 refused it (see its agent log)\n");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void aSecondRequestIsRefusedWhileOneIsPending() throws Exception {
        assertThat(paris.setSwitchover(new SwitchoverRequest("paris-1", "newyork-1", System.currentTimeMillis() + 3_600_000, 1), 0)).isTrue();
        Run r = run("failover", "--candidate", "newyork-1", "--force");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("meridian: another switchover or failover is already pending: switchover from paris-1 to newyork-1 at ");
        assertThat(run("list").out()).contains(" Switchover pending to newyork-1 at ");
    }

    @Test
    void statusLagTopologyAndHistoryRender() {
        Run status = run("status");
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("Leader: paris-1 in paris, timeline 1", "Lag by region", "Alerts: none");
        Run lag = run("lag", "--format", "json");
        assertThat(lag.out()).contains("\"member\" : \"tokyo-1\"", "\"lag_bytes\" : 8388608");
        assertThat(run("topology").out()).contains("├── paris", "└── paris-1 [Leader] running");
        assertThat(run("history").code()).isZero();
    }

    @Test
    void reinitOfTheLeaderIsRefusedBeforeAnyRestCall() {
        Run r = run("reinit", "paris-1", "--force");
        assertThat(r.err()).isEqualTo("meridian: paris-1 is the leader: reinit only re-clones a replica (switch over first)\n");
        assertThat(run("restart", "lima-1", "--force").err()).startsWith("meridian: no member named 'lima-1' is alive");
    }
}
