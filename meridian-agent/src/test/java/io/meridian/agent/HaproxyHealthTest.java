package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.HostPort;
import io.meridian.core.config.NodeConfig;
import io.meridian.lab.process.FreePorts;
import io.meridian.lab.tls.LocalAuthority;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HAProxy in front of a real three-region cluster, configured by the example this project ships
 * ({@code deploy/haproxy/haproxy.cfg}) with only its addresses changed, timings included: HAProxy
 * asks each agent's REST API as it would ask Patroni's, sends the write port to the leader and the
 * read port to replicas, follows a switchover and cuts the sessions left on the old leader; with the
 * agents serving HTTPS, its checks verify their certificates.
 */
class HaproxyHealthTest {

    private static final Path EXAMPLE = Path.of("..", "deploy", "haproxy", "haproxy.cfg");
    private static final List<String> REGIONS = List.of("paris", "newyork", "tokyo");
    private static final Duration BOOT = Duration.ofSeconds(90);
    /** The example checks every 3 s and takes 3 failures (down) or 2 successes (up) to change its mind. */
    private static final Duration CHECKS = Duration.ofSeconds(40);

    private TestCluster cluster;
    private Process haproxy;

    /** Debian installs it in /usr/sbin, which a non-root PATH may lack. */
    private static final java.util.Optional<Path> HAPROXY = java.util.stream.Stream
            .concat(java.util.stream.Stream.of(System.getenv().getOrDefault("PATH", "").split(":")), java.util.stream.Stream.of("/usr/sbin"))
            .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "haproxy")).filter(Files::isExecutable).findFirst();

    @BeforeEach
    void haproxyInstalled() {
        assumeTrue(HAPROXY.isPresent() || System.getenv("CI") != null,
                "haproxy is not installed (apt-get install haproxy); required when CI is set");
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (haproxy != null) {
            haproxy.destroy();
            if (!haproxy.waitFor(5, TimeUnit.SECONDS)) {
                haproxy.destroyForcibly();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theShippedExampleSendsWritesToTheLeaderReadsToReplicasAndFollowsASwitchover() throws Exception {
        cluster = TestCluster.booted(REGIONS, DynamicConfig.DEFAULTS, false, BOOT);
        String leader = cluster.cluster().leader().name();
        Ports ports = startHaproxy(null);

        awaitLeaderOnly(ports, leader);
        await().atMost(CHECKS).ignoreExceptions().until(() -> upIn(ports, "replicas").size() == 2);
        assertThat(upIn(ports, "replicas")).doesNotContain(leader);
        assertThat(landsOn(ports.primary())).isEqualTo(new Landing(portOf(leader), false));
        Landing read = landsOn(ports.replicas());
        assertThat(read.inRecovery()).as("the read port reaches a replica").isTrue();
        assertThat(read.port()).isNotEqualTo(portOf(leader));

        String target = cluster.names().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        try (Connection old = cluster.connect(ports.primary())) {
            HttpResponse<String> r = switchover(leader, target);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(cluster.awaitNewLeader(leader, Duration.ofSeconds(20))).isEqualTo(target);
            awaitLeaderOnly(ports, target);
            assertThat(landsOn(ports.primary())).isEqualTo(new Landing(portOf(target), false));
            // Nobody keeps a session on the demoted leader through the write port.
            await().atMost(Duration.ofSeconds(10)).until(() -> !old.isValid(2));
        }
        // The old leader rejoins as a replica and HAProxy puts it back on the read port.
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> upIn(ports, "replicas").contains(leader));
    }

    @Test
    void overHttpsTheChecksVerifyTheAgentsCertificates() throws Exception {
        cluster = TestCluster.booted(REGIONS, DynamicConfig.DEFAULTS, true, BOOT);
        String leader = cluster.cluster().leader().name();
        Path trusted = cluster.nodes.get(leader).restapi().tls().caFile();
        LocalAuthority other = LocalAuthority.create(cluster.dir.resolve("other-authority"), "other", 1);
        Ports ports = startHaproxy(trusted);
        addServerCheckedAgainst(other.certificate(), leader);

        awaitLeaderOnly(ports, leader);
        await().atMost(CHECKS).ignoreExceptions().until(() -> upIn(ports, "replicas").size() == 2);
        assertThat(landsOn(ports.primary())).isEqualTo(new Landing(portOf(leader), false));
        // The same leader, checked against an authority that did not sign its agent's certificate:
        // HAProxy starts every server up, and only a refused handshake takes this one down.
        await().atMost(CHECKS).ignoreExceptions()
                .until(() -> status(ports).get("primary/" + leader + "-wrong-ca").startsWith("DOWN"));
        assertThat(upIn(ports, "primary")).containsExactly(leader);
    }

    record Ports(HostPort primary, HostPort replicas, int stats) {
    }

    record Landing(int port, boolean inRecovery) {
    }

    private Path config;

    /**
     * Starts HAProxy on the shipped example, moved to free ports and to this cluster's nodes; when
     * {@code ca} is given, every check goes over TLS and verifies the agent against it.
     */
    private Ports startHaproxy(Path ca) throws IOException {
        String text = Files.readString(EXAMPLE);
        List<Integer> free = FreePorts.allocate(3);
        Ports ports = new Ports(new HostPort("127.0.0.1", free.get(0)), new HostPort("127.0.0.1", free.get(1)), free.get(2));
        text = replaceOnce(text, "bind 127.0.0.1:7000", "bind 127.0.0.1:" + ports.stats());
        text = replaceOnce(text, "bind *:5000", "bind " + ports.primary());
        text = replaceOnce(text, "bind *:5001", "bind " + ports.replicas());
        Matcher m = Pattern.compile("server (\\S+)\\s+127\\.0\\.0\\.1:\\d+ (maxconn \\d+) check port \\d+").matcher(text);
        StringBuilder out = new StringBuilder();
        int servers = 0;
        while (m.find()) {
            NodeConfig n = cluster.nodes.get(m.group(1));
            assertThat(n).as("a node named like the example's server %s", m.group(1)).isNotNull();
            String line = serverLine(m.group(1), n, m.group(2), ca);
            m.appendReplacement(out, Matcher.quoteReplacement(line));
            servers++;
        }
        m.appendTail(out);
        assertThat(servers).as("server lines in " + EXAMPLE).isEqualTo(6);
        config = cluster.dir.resolve("haproxy.cfg");
        Files.writeString(config, out.toString());
        launch();
        return ports;
    }

    private static String serverLine(String name, NodeConfig n, String maxconn, Path ca) {
        HostPort pg = n.postgresql().connectAddress();
        return "server " + name + " " + pg + " " + maxconn + " check port " + n.restapi().connectAddress().port()
                + (ca == null ? "" : " check-ssl verify required ca-file " + ca);
    }

    /** Adds to the write port a server for {@code node} whose checks trust {@code ca}, and restarts HAProxy. */
    private void addServerCheckedAgainst(Path ca, String node) throws IOException, InterruptedException {
        String line = serverLine(node + "-wrong-ca", cluster.nodes.get(node), "maxconn 100", ca);
        String text = Files.readString(config);
        int at = text.indexOf("listen replicas");
        Files.writeString(config, text.substring(0, at) + "    " + line + "\n\n" + text.substring(at));
        haproxy.destroy();
        haproxy.waitFor(5, TimeUnit.SECONDS);
        launch();
    }

    private void launch() throws IOException {
        Path log = cluster.dir.resolve("haproxy.log");
        haproxy = new ProcessBuilder(HAPROXY.orElseThrow(() -> new IllegalStateException(
                "haproxy is not installed (apt-get install haproxy)")).toString(), "-db", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String replaceOnce(String text, String what, String with) {
        assertThat(text).as("the example has '%s'", what).contains(what);
        return text.replace(what, with);
    }

    private void awaitLeaderOnly(Ports ports, String leader) {
        await().atMost(CHECKS).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> upIn(ports, "primary").equals(List.of(leader)));
    }

    /** Servers of {@code proxy} that HAProxy's stats page shows UP, in the example's order. */
    private List<String> upIn(Ports ports, String proxy) throws Exception {
        return status(ports).entrySet().stream()
                .filter(e -> e.getKey().startsWith(proxy + "/") && e.getValue().startsWith("UP"))
                .map(e -> e.getKey().substring(proxy.length() + 1))
                .filter(cluster.nodes::containsKey)
                .sorted((a, b) -> cluster.names().indexOf(a) - cluster.names().indexOf(b))
                .toList();
    }

    /** proxy/server → status, from the stats page's CSV export. */
    private static Map<String, String> status(Ports ports) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + ports.stats() + "/;csv")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        String[] lines = r.body().split("\n");
        List<String> header = List.of(lines[0].replaceFirst("^# ", "").split(","));
        int status = header.indexOf("status");
        Map<String, String> out = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",", -1);
            if (f.length > status) {
                out.put(f[0] + "/" + f[1], f[status]);
            }
        }
        return out;
    }

    /** Where a new connection through {@code via} lands: the node's port and whether it is in recovery. */
    private Landing landsOn(HostPort via) throws Exception {
        try (Connection c = cluster.connect(via); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT inet_server_port(), pg_is_in_recovery()")) {
            rs.next();
            return new Landing(rs.getInt(1), rs.getBoolean(2));
        }
    }

    private int portOf(String node) {
        return cluster.nodes.get(node).postgresql().connectAddress().port();
    }

    private HttpResponse<String> switchover(String leader, String candidate) throws Exception {
        String auth = Base64.getEncoder().encodeToString(("admin:" + cluster.restPassword()).getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cluster.restUrl(leader) + "/switchover"))
                .header("Authorization", "Basic " + auth).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"leader\":\"" + leader + "\",\"candidate\":\"" + candidate + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
