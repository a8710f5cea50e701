package io.meridian.cli.ops;

import io.meridian.testkit.PgServer;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.meridian.cli.MeridianCli;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.cluster.Role;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.testkit.EtcdExtension;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The verbs patronictl users reach for ({@code list -e}, {@code dsn}, {@code query}, {@code flush},
 * {@code remove}) against a real etcd and a real PostgreSQL. Lease-holding DCS sessions stand in
 * for the agents and publish members whose PostgreSQL address is the real server; a small HTTP
 * server answers for their REST APIs.
 */
class PatronictlVerbsTest {

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    private static PgServer pg;
    private final List<EtcdDcs> agents = new ArrayList<>();
    private HttpServer api;
    private String cluster;
    private Path node;

    private record Run(int code, String out, String err) {
    }

    @BeforeAll
    static void postgres() throws Exception {
        pg = PgServer.primary();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void twoAgents() throws Exception {
        cluster = "habits" + System.nanoTime();
        api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // paris-1 answers as Patroni does; tokyo-1 as an agent without scheduled restarts.
        answer("/paris-1/patroni", 200, "{\"state\":\"running\",\"pending_restart\":true,"
                + "\"pending_restart_reason\":{\"max_connections\":{\"old_value\":\"100\",\"new_value\":\"200\"}},"
                + "\"scheduled_restart\":{\"schedule\":\"2030-01-01T03:00:00+00:00\"}}");
        answer("/paris-1/restart", 404, "{\"error\":\"no restarts are scheduled\"}");
        answer("/tokyo-1/patroni", 200, "{\"state\":\"running\"}");
        answer("/tokyo-1/restart", 405, "{\"error\":\"DELETE is not allowed on /restart\"}");
        api.start();
        EtcdDcs paris = agent("paris-1");
        EtcdDcs tokyo = agent("tokyo-1");
        paris.touchMember(member("paris-1", Role.PRIMARY, MemberTags.DEFAULT));
        assertThat(paris.acquireLeader("paris-1")).isTrue();
        paris.setSystemId("7000000000000000001");
        tokyo.touchMember(member("tokyo-1", Role.REPLICA, new MemberTags(true, 1, false)));
        node = Files.createTempFile("habits-node-", ".yml");
        Files.writeString(node, "cluster: " + cluster + "\nname: cli\nregion: paris\n"
                + "etcd: {endpoints: [" + String.join(", ", ETCD.endpoints()) + "]}\n"
                + "postgresql: {data_dir: /tmp/habits-unused, listen: 127.0.0.1:1, superuser: {password: "
                + PgServer.PASSWORD + "}, replication: {password: y}}\n"
                + "restapi: {listen: 127.0.0.1:2, username: admin, password: secret}\n");
    }

    @AfterEach
    void close() throws Exception {
        try (Dcs admin = EtcdDcs.connect(ETCD.endpoints(), "/meridian", cluster, null, 6, 5)) {
            admin.deleteCluster();
        }
        agents.forEach(EtcdDcs::close);
        api.stop(0);
        Files.deleteIfExists(node);
    }

    private void answer(String path, int status, String json) {
        api.createContext(path, ex -> {
            byte[] b = json.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
    }

    private EtcdDcs agent(String name) {
        EtcdDcs d = EtcdDcs.connect(ETCD.endpoints(), "/meridian", cluster, name, 6, 10);
        agents.add(d);
        return d;
    }

    private Member member(String name, Role role, MemberTags tags) {
        Lsn at = Lsn.parse("0/3000000");
        boolean primary = role == Role.PRIMARY;
        return new Member(name, name.substring(0, name.indexOf('-')), role, "running", 1, primary ? at : Lsn.ZERO,
                primary ? Lsn.ZERO : at, primary ? Lsn.ZERO : at, primary ? null : "streaming", 0, "127.0.0.1", pg.port,
                "http://127.0.0.1:" + api.getAddress().getPort() + "/" + name, tags, System.currentTimeMillis());
    }

    private Run run(String... args) {
        CommandLine cmd = MeridianCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Run withInput(String input, String... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return run(args);
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void listExtendedShowsPendingAndScheduledRestartsAndTags() {
        Run r = run("-c", node.toString(), "list", "-e");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Pending restart", "Scheduled restart", "Tags")
                .containsPattern("\\| paris-1 .*\\| \\* +\\| max_connections: 100->200 \\| 2030-01-01T03:00:00\\+00:00 \\|")
                .containsPattern("\\| tokyo-1 .*\\| nofailover: true \\|");
        Run tsv = run("list", "-e", "--format", "tsv", "-c", node.toString());
        assertThat(tsv.out().lines().toList()).first().asString()
                .isEqualTo("Cluster\tMember\tHost\tRegion\tRole\tState\tTL\tLag in MB\tPending restart\tPending restart reason\tScheduled restart\tTags");
        assertThat(tsv.out()).contains(cluster + "\ttokyo-1\t127.0.0.1:" + pg.port + "\ttokyo\tReplica\tstreaming\t1\t0\t\t\t\tnofailover: true");
        assertThat(run("-c", node.toString(), "list", "--format", "yaml").out()).contains("- Cluster: " + cluster, "  Member: paris-1");
    }

    @Test
    void dsnNamesTheLeaderOrAReplicaWithoutAPassword() {
        Run leader = run("-c", node.toString(), "dsn");
        assertThat(leader.code()).as(leader.err()).isZero();
        assertThat(leader.out()).isEqualTo("host=127.0.0.1 port=" + pg.port + " user=postgres dbname=postgres\n");
        assertThat(run("-c", node.toString(), "dsn", "--role", "replica").code()).isZero();
        Run wrong = run("-c", node.toString(), "dsn", "tokyo-1", "--role", "leader");
        assertThat(wrong.err()).isEqualTo("meridian: tokyo-1 is not the leader (it is Replica)\n");
        assertThat(run("-c", node.toString(), "dsn").out()).doesNotContain(PgServer.PASSWORD);
    }

    @Test
    void queryRunsSqlOnTheMemberWithTheNodeFilesCredentials() throws Exception {
        Run r = run("-c", node.toString(), "query", "-c", "select 41 + 1 as answer, 'x' as b union all select 7, null");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("answer\tb\n42\tx\n7\t\n");
        Path sql = Files.createTempFile("habits-", ".sql");
        Files.writeString(sql, "select current_user as who;");
        Run pretty = run("query", "tokyo-1", "--config", node.toString(), "-f", sql.toString(), "--format", "pretty");
        Files.delete(sql);
        assertThat(pretty.out()).isEqualTo("+----------+\n| who      |\n+----------+\n| postgres |\n+----------+\n");
        Run bad = run("-c", node.toString(), "query", "-c", "select nope");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).startsWith("meridian: paris-1 (127.0.0.1:" + pg.port + "): ERROR: column \"nope\" does not exist");
    }

    @Test
    void flushRestartSaysWhatEachAgentAnswered() {
        Run r = run("-c", node.toString(), "flush", "restart", "paris-1", "--force");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("paris-1: no restart is scheduled (no restarts are scheduled)\n");
        Run old = run("-c", node.toString(), "flush", "restart", "tokyo-1", "--force");
        assertThat(old.code()).as(old.err()).isZero();
        assertThat(old.out()).isEqualTo("tokyo-1: this agent has no scheduled restarts to cancel "
                + "(it does not support them: HTTP 405 on DELETE /restart)\n");
        assertThat(run("-c", node.toString(), "flush", "switchover").out())
                .isEqualTo("No switchover or failover is pending in cluster '" + cluster + "'.\n");
    }

    @Test
    void removeRefusesWhileAgentsRunAndWithoutBothTypedAnswers() throws Exception {
        String full = cluster + "\n" + RemoveCommand.AWARE + "\n";
        Run running = withInput(full, "-c", node.toString(), "remove", cluster);
        assertThat(running.code()).isEqualTo(1);
        assertThat(running.err()).isEqualTo("meridian: refused: agents of cluster '" + cluster
                + "' still run (paris-1, tokyo-1); stop them first (their member keys vanish with their leases)\n");
        for (EtcdDcs a : agents) {
            a.revokeLease();
        }
        Run wrongName = withInput("other\n" + RemoveCommand.AWARE + "\n", "-c", node.toString(), "remove", cluster);
        assertThat(wrongName.err()).isEqualTo("meridian: aborted: the name typed is not '" + cluster + "'\n");
        Run notAware = withInput(cluster + "\nyes\n", "-c", node.toString(), "remove", cluster);
        assertThat(notAware.err()).isEqualTo("meridian: aborted: you did not type \"Yes I am aware\"\n");
        assertThat(run("-c", node.toString(), "remove", "another").err())
                .isEqualTo("meridian: " + node + " names cluster '" + cluster + "', not 'another'\n");
        try (Dcs admin = EtcdDcs.connect(ETCD.endpoints(), "/meridian", cluster, null, 6, 5)) {
            assertThat(admin.load().systemId()).isEqualTo("7000000000000000001");
            Run ok = withInput(full, "remove", cluster, "--etcd", String.join(",", ETCD.endpoints()));
            assertThat(ok.code()).as(ok.err()).isZero();
            assertThat(ok.out()).endsWith("Removed cluster '" + cluster + "' from etcd.\n");
            assertThat(admin.load().systemId()).isNull();
        }
    }
}
