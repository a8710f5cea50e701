package io.meridian.agent;

import static org.awaitility.Awaitility.await;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.HostPort;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.core.postgres.LocalPostgres;
import io.meridian.lab.process.EtcdServer;
import io.meridian.lab.process.FreePorts;
import io.meridian.lab.wan.LinkRelay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * A real cluster for agent tests: one etcd, and N nodes each with its own PostgreSQL 15 and an
 * in-process agent. Each agent reaches etcd through its own {@link LinkRelay}, so a test can cut
 * one node off from etcd. Everything lives under one folder in /tmp and is removed by close().
 */
final class TestCluster implements AutoCloseable {

    static final String CLUSTER = "test";
    final Path dir;
    final EtcdServer etcd;
    final Map<String, NodeConfig> nodes = new LinkedHashMap<>();
    final Map<String, Agent> agents = new LinkedHashMap<>();
    final Map<String, LinkRelay> etcdLinks = new LinkedHashMap<>();
    private final String password = UUID.randomUUID().toString();
    /** The environment each agent's PostgreSQL processes inherit (a test may pollute it). */
    Map<String, String> inheritedEnv = System.getenv();
    private final EtcdDcs observer;
    private io.meridian.lab.tls.LocalAuthority authority;

    TestCluster(List<String> regions, DynamicConfig dcs) throws IOException {
        this(regions, dcs, false);
    }

    /**
     * @param tls TLS between nodes: a certificate authority made for this cluster signs one
     *            certificate per node naming 127.0.0.1, and every node verifies the others
     *            ({@code sslmode verify-full}) against it; the REST APIs serve HTTPS with the same
     *            certificates
     */
    TestCluster(List<String> regions, DynamicConfig dcs, boolean tls) throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "meridian-agent-test-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        etcd = EtcdServer.single("etcd", dir.resolve("etcd"));
        etcd.start();
        // The observer may wait longer than an agent: a loaded test machine must not fail a test on a slow read.
        observer = EtcdDcs.connect(List.of(etcd.clientUrl()), "/meridian", CLUSTER, null, dcs.ttl(), 10);
        Map<String, Integer> perRegion = new LinkedHashMap<>();
        for (String region : regions) {
            String name = region + "-" + perRegion.merge(region, 1, Integer::sum);
            LinkRelay link = LinkRelay.start(FreePorts.allocate(), "127.0.0.1", etcd.clientPort());
            etcdLinks.put(name, link);
            List<Integer> ports = FreePorts.allocate(2);
            NodeConfig.Tls nodeTls = tls ? nodeCertificate(name) : null;
            NodeConfig n = new NodeConfig(dir.resolve(name + ".yml"), CLUSTER, name, region,
                    new NodeConfig.Etcd(List.of("http://127.0.0.1:" + link.port()), "/meridian"),
                    new NodeConfig.Postgres(Path.of("/usr/lib/postgresql/15/bin"), dir.resolve(name).resolve("data"),
                            new HostPort("127.0.0.1", ports.get(0)), new HostPort("127.0.0.1", ports.get(0)), "postgres",
                            new NodeConfig.Credentials("postgres", password),
                            new NodeConfig.Credentials("replicator", password + "r"), Map.of(), List.of(), nodeTls),
                    new NodeConfig.RestApi(new HostPort("127.0.0.1", ports.get(1)), new HostPort("127.0.0.1", ports.get(1)),
                            "admin", password, nodeTls == null ? null
                            : new NodeConfig.RestTls(nodeTls.certificate(), nodeTls.privateKey(), nodeTls.caFile())),
                    MemberTags.DEFAULT, dcs);
            nodes.put(name, n);
        }
    }

    /**
     * A cluster started and settled within {@code within}: a leader running as primary and every
     * other node streaming from it. Closed again if it does not settle.
     */
    static TestCluster booted(List<String> regions, DynamicConfig dcs, boolean tls, Duration within) throws IOException {
        TestCluster c = new TestCluster(regions, dcs, tls);
        try {
            c.startAll();
            c.awaitLeader(within);
            c.awaitStreaming(regions.size() - 1, within);
            return c;
        } catch (IOException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /** The cluster's authority (made on first use) and a certificate and key for {@code node}, as PostgreSQL wants them. */
    private NodeConfig.Tls nodeCertificate(String node) throws IOException {
        if (authority == null) {
            authority = io.meridian.lab.tls.LocalAuthority.create(dir.resolve("tls"), "root", 2);
        }
        // PostgreSQL refuses a key that its OS user does not own or that others can read.
        authority.issue(node, "IP:127.0.0.1", "postgres", 2);
        return new NodeConfig.Tls(authority.certificate(node), authority.key(node), authority.certificate(), "verify-full");
    }

    void start(String name) throws IOException {
        NodeConfig n = nodes.get(name);
        EtcdDcs dcs = EtcdDcs.connect(n.etcd().endpoints(), "/meridian", CLUSTER, name, n.bootstrap().ttl(),
                n.bootstrap().retryTimeout());
        Agent a = new Agent(n, dcs, new LocalPostgres(n, inheritedEnv));
        agents.put(name, a);
        a.start();
    }

    /** From the next {@link #start}, {@code name}'s node file gives {@code replicationPassword} (its passfile too). */
    void setReplicationPassword(String name, String replicationPassword) {
        NodeConfig n = nodes.get(name);
        NodeConfig.Postgres pg = n.postgresql();
        nodes.put(name, new NodeConfig(n.source(), n.cluster(), n.name(), n.region(), n.etcd(),
                new NodeConfig.Postgres(pg.binDir(), pg.dataDir(), pg.listen(), pg.connectAddress(), pg.osUser(),
                        pg.superuser(), new NodeConfig.Credentials(pg.replication().username(), replicationPassword),
                        pg.parameters(), pg.pgHba(), pg.tls()),
                n.restapi(), n.tags(), n.bootstrap()));
    }

    void startAll() throws IOException {
        for (String name : nodes.keySet()) {
            start(name);
        }
    }

    /** The whole node dies: the agent stops without a word (its lease is left to expire) and PostgreSQL gets SIGKILL. */
    void crashNode(String name) {
        Agent a = agents.remove(name);
        if (a != null) {
            a.abandon();
        }
        killPostgres(name);
    }

    void killPostgres(String name) {
        long pid = postmasterPid(name);
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        }
    }

    long postmasterPid(String name) {
        return new LocalPostgres(nodes.get(name)).postmasterPid();
    }

    /** {@code name}'s PostgreSQL as a fresh observer sees it, the WAL receiver's error included. */
    io.meridian.core.postgres.PgState observe(String name) {
        return new LocalPostgres(nodes.get(name)).observe();
    }

    Cluster cluster() throws Exception {
        return observer.load();
    }

    /** Waits for a leader other than {@code old} whose PostgreSQL runs as primary. */
    String awaitNewLeader(String old, Duration within) {
        String[] leader = new String[1];
        await().atMost(within).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            Cluster c = observer.load();
            leader[0] = c.hasLeader() ? c.leader().name() : null;
            return leader[0] != null && !leader[0].equals(old)
                    && c.leaderMember().map(m -> m.role() == io.meridian.core.cluster.Role.PRIMARY).orElse(false);
        });
        return leader[0];
    }

    String awaitLeader(Duration within) {
        String[] leader = new String[1];
        await().atMost(within).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            Cluster c = observer.load();
            if (!c.hasLeader() || c.leaderMember().isEmpty()) {
                return false;
            }
            leader[0] = c.leader().name();
            return c.leaderMember().get().role() == io.meridian.core.cluster.Role.PRIMARY;
        });
        return leader[0];
    }

    /** Waits until every node but the leader streams from it. */
    void awaitStreaming(int replicas, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            Cluster c = observer.load();
            long n = c.members().stream().filter(m -> !c.isLeader(m.name()) && m.isStreaming()
                    && c.leaderMember().map(l -> l.timeline() == m.timeline()).orElse(false)).count();
            return n >= replicas;
        });
    }

    Connection connect(String name) throws SQLException {
        return connect(nodes.get(name).postgresql().connectAddress());
    }

    /** A superuser connection to whatever PostgreSQL answers at {@code a} (a node, or a proxy in front of nodes). */
    Connection connect(HostPort a) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "2");
        p.setProperty("socketTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://" + a + "/postgres", p);
    }

    Member member(String name) throws Exception {
        return cluster().member(name).orElseThrow();
    }

    List<String> names() {
        return new ArrayList<>(nodes.keySet());
    }

    String restUrl(String name) {
        return nodes.get(name).restapi().url();
    }

    String restPassword() {
        return password;
    }

    @Override
    public void close() {
        for (String name : new ArrayList<>(agents.keySet())) {
            agents.remove(name).abandon();
        }
        for (String name : nodes.keySet()) {
            try {
                new LocalPostgres(nodes.get(name)).stop("immediate", 10);
            } catch (Exception ignored) {
                // not running
            }
        }
        etcdLinks.values().forEach(LinkRelay::close);
        observer.close();
        etcd.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
