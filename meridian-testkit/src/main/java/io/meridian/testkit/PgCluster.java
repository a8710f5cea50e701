package io.meridian.testkit;

import static org.awaitility.Awaitility.await;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.HostPort;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.core.postgres.LocalPostgres;
import io.meridian.core.postgres.PgState;
import io.meridian.lab.process.EtcdServer;
import io.meridian.lab.process.FreePorts;
import io.meridian.lab.tls.LocalAuthority;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * A real PostgreSQL cluster for tests: one etcd (an {@link EtcdExtension} this fixture owns) and
 * one node file per member, each with its own PostgreSQL 15 data folder, ports and credentials.
 * Each node reaches etcd through its own {@link LinkRelay}, so a test can cut one node off from
 * etcd. Who runs the nodes is the caller's: the agent's tests start an in-process agent per node
 * on top of this. Everything lives under one folder in /tmp and is removed by {@link #close()}.
 */
public class PgCluster implements AutoCloseable {

    public static final String CLUSTER = "test";
    public final Path dir;
    /** The single etcd member, to read its URL or to kill and restart it. */
    public final EtcdServer etcd;
    public final Map<String, NodeConfig> nodes = new LinkedHashMap<>();
    public final Map<String, LinkRelay> etcdLinks = new LinkedHashMap<>();
    private final String password = UUID.randomUUID().toString();
    private final EtcdExtension etcdRun;
    private final EtcdDcs observer;
    private LocalAuthority authority;

    /**
     * @param tls TLS between nodes: a certificate authority made for this cluster signs one
     *            certificate per node naming 127.0.0.1, and every node verifies the others
     *            ({@code sslmode verify-full}) against it; the REST APIs serve HTTPS with the same
     *            certificates
     */
    public PgCluster(List<String> regions, DynamicConfig dcs, boolean tls) throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "meridian-pg-cluster-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        etcdRun = new EtcdExtension().startNow();
        etcd = etcdRun.member(0);
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

    /** The cluster's authority (made on first use) and a certificate and key for {@code node}, as PostgreSQL wants them. */
    private NodeConfig.Tls nodeCertificate(String node) throws IOException {
        if (authority == null) {
            authority = LocalAuthority.create(dir.resolve("tls"), "root", 2);
        }
        // PostgreSQL refuses a key that its OS user does not own or that others can read.
        authority.issue(node, "IP:127.0.0.1", "postgres", 2);
        return new NodeConfig.Tls(authority.certificate(node), authority.key(node), authority.certificate(), "verify-full");
    }

    /** From the node's next start, {@code name}'s node file gives {@code replicationPassword} (its passfile too). */
    public void setReplicationPassword(String name, String replicationPassword) {
        NodeConfig n = nodes.get(name);
        NodeConfig.Postgres pg = n.postgresql();
        nodes.put(name, new NodeConfig(n.source(), n.cluster(), n.name(), n.region(), n.etcd(),
                new NodeConfig.Postgres(pg.binDir(), pg.dataDir(), pg.listen(), pg.connectAddress(), pg.osUser(),
                        pg.superuser(), new NodeConfig.Credentials(pg.replication().username(), replicationPassword),
                        pg.parameters(), pg.pgHba(), pg.tls()),
                n.restapi(), n.tags(), n.bootstrap()));
    }

    public void killPostgres(String name) {
        long pid = postmasterPid(name);
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        }
    }

    public long postmasterPid(String name) {
        return new LocalPostgres(nodes.get(name)).postmasterPid();
    }

    /** {@code name}'s PostgreSQL as a fresh observer sees it, the WAL receiver's error included. */
    public PgState observe(String name) {
        return new LocalPostgres(nodes.get(name)).observe();
    }

    public Cluster cluster() throws Exception {
        return observer.load();
    }

    /** Waits for a leader other than {@code old} whose PostgreSQL runs as primary. */
    public String awaitNewLeader(String old, Duration within) {
        String[] leader = new String[1];
        await().atMost(within).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            Cluster c = observer.load();
            leader[0] = c.hasLeader() ? c.leader().name() : null;
            return leader[0] != null && !leader[0].equals(old)
                    && c.leaderMember().map(m -> m.role() == io.meridian.core.cluster.Role.PRIMARY).orElse(false);
        });
        return leader[0];
    }

    public String awaitLeader(Duration within) {
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
    public void awaitStreaming(int replicas, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            Cluster c = observer.load();
            long n = c.members().stream().filter(m -> !c.isLeader(m.name()) && m.isStreaming()
                    && c.leaderMember().map(l -> l.timeline() == m.timeline()).orElse(false)).count();
            return n >= replicas;
        });
    }

    public Connection connect(String name) throws SQLException {
        return connect(nodes.get(name).postgresql().connectAddress());
    }

    /** A superuser connection to whatever PostgreSQL answers at {@code a} (a node, or a proxy in front of nodes). */
    public Connection connect(HostPort a) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "2");
        p.setProperty("socketTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://" + a + "/postgres", p);
    }

    public Member member(String name) throws Exception {
        return cluster().member(name).orElseThrow();
    }

    public List<String> names() {
        return new ArrayList<>(nodes.keySet());
    }

    public String restUrl(String name) {
        return nodes.get(name).restapi().url();
    }

    public String restPassword() {
        return password;
    }

    /** Stops every node's PostgreSQL at once, then the relays and etcd, and removes the folder. */
    @Override
    public void close() {
        for (String name : nodes.keySet()) {
            try {
                new LocalPostgres(nodes.get(name)).stop("immediate", 10);
            } catch (Exception ignored) {
                // not running
            }
        }
        etcdLinks.values().forEach(LinkRelay::close);
        observer.close();
        etcdRun.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
