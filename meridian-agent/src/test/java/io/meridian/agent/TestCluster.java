package io.meridian.agent;

import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.core.postgres.LocalPostgres;
import io.meridian.lab.process.FreePorts;
import io.meridian.lab.wan.LinkRelay;
import io.meridian.testkit.PgCluster;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * The testkit's {@link PgCluster} with an in-process agent per node: what only the agent's tests
 * can build, since it needs the agent's classes.
 */
final class TestCluster extends PgCluster {

    final Map<String, Agent> agents = new LinkedHashMap<>();
    /** The environment each agent's PostgreSQL processes inherit (a test may pollute it). */
    Map<String, String> inheritedEnv = System.getenv();

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
        super(regions, dcs, tls);
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

    void start(String name) throws IOException {
        NodeConfig n = nodes.get(name);
        EtcdDcs dcs = EtcdDcs.connect(n.etcd().endpoints(), "/meridian", CLUSTER, name, n.bootstrap().ttl(),
                n.bootstrap().retryTimeout());
        Agent a = new Agent(n, dcs, new LocalPostgres(n, inheritedEnv));
        agents.put(name, a);
        a.start();
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

    void execute(String node, String sql) throws SQLException {
        try (Connection conn = connect(node); Statement s = conn.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * Points {@code standby}'s WAL receiver at a new relay in front of {@code primary}, so that a
     * test can cut replication alone while both nodes still reach etcd. ALTER SYSTEM overrides the
     * rendered primary_conninfo and is reset at once, so the setting lasts only until the agent's
     * next reload of the standby (the one that points it elsewhere). The caller closes the relay.
     */
    LinkRelay relayReplication(String standby, String primary) throws Exception {
        int primaryPort = nodes.get(primary).postgresql().connectAddress().port();
        LinkRelay relay = LinkRelay.start(FreePorts.allocate(), "127.0.0.1", primaryPort);
        try {
            String conninfo;
            try (Connection conn = connect(standby); Statement s = conn.createStatement();
                 ResultSet rs = s.executeQuery("SHOW primary_conninfo")) {
                rs.next();
                conninfo = rs.getString(1);
            }
            String relayed = conninfo.replace("port=" + primaryPort + " ", "port=" + relay.port() + " ");
            if (relayed.equals(conninfo)) {
                throw new IllegalStateException(standby + " does not stream from " + primary + " (port " + primaryPort
                        + "): primary_conninfo is " + conninfo);
            }
            execute(standby, "ALTER SYSTEM SET primary_conninfo = '" + relayed.replace("'", "''") + "'");
            execute(standby, "SELECT pg_reload_conf()");
            Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                try (Connection conn = connect(standby); Statement s = conn.createStatement();
                     ResultSet rs = s.executeQuery("SELECT sender_port, status FROM pg_stat_wal_receiver")) {
                    return rs.next() && rs.getInt(1) == relay.port() && "streaming".equals(rs.getString(2));
                }
            });
            execute(standby, "ALTER SYSTEM RESET primary_conninfo");
            return relay;
        } catch (Exception | Error e) {
            relay.close();
            throw e;
        }
    }

    /** Agents go first, without a word, so none restarts a PostgreSQL the cluster is stopping. */
    @Override
    public void close() {
        for (String name : new ArrayList<>(agents.keySet())) {
            agents.remove(name).abandon();
        }
        super.close();
    }
}
