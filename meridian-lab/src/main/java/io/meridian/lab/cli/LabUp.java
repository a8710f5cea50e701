package io.meridian.lab.cli;

import io.meridian.core.console.CliException;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.core.config.NodeConfigLoader;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.lab.process.EtcdServer;
import io.meridian.lab.process.FreePorts;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meridian lab up}: etcd (one member per region), one PostgreSQL node with its agent per
 * region, all on free loopback ports in one folder; returns once there is a leader and every
 * replica streams. The state is written as soon as anything runs, so {@code lab down} can always
 * clean up, also after a failed start.
 */
@Command(name = "up", description = "Start etcd and one PostgreSQL node with its agent per region; wait until replicas stream.")
public final class LabUp implements Callable<Integer> {

    @Option(names = "--regions", defaultValue = "paris,newyork,tokyo", description = "Regions, one node each (default: ${DEFAULT-VALUE}).")
    String regions;

    @Option(names = "--dir", description = "Lab folder (default: $MERIDIAN_LAB_DIR or /tmp/meridian-lab).")
    Path dir;

    @Option(names = "--cluster", defaultValue = "lab", description = "Cluster name (default: ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = "--pg-bin", defaultValue = "/usr/lib/postgresql/15/bin", description = "PostgreSQL binaries (default: ${DEFAULT-VALUE}).")
    Path pgBin;

    @Option(names = "--timeout", defaultValue = "180", description = "Seconds to wait for a leader and streaming replicas (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--wan", description = "Put emulated WAN links (delay, jitter, partitions) between regions.")
    boolean wan;

    @Option(names = "--rtt", paramLabel = "A-B=MS", description = "Round trips with --wan, e.g. paris-newyork=80ms,paris-tokyo=250ms (default: ${DEFAULT-VALUE}).",
            defaultValue = WanPlan.DEFAULT_RTT)
    String rtt;

    @Option(names = "--jitter", defaultValue = "0", description = "Extra random one-way delay in ms with --wan (default: ${DEFAULT-VALUE}).")
    int jitterMillis;

    @Option(names = "--bandwidth", defaultValue = "0", description = "Bandwidth cap per link direction in Mbit/s with --wan, 0 for none (default: ${DEFAULT-VALUE}).")
    int bandwidthMbit;

    @Option(names = "--synchronous-mode", defaultValue = "off", paramLabel = "MODE",
            description = "The cluster's synchronous_mode at bootstrap: off, quorum or region_quorum (default: ${DEFAULT-VALUE}).")
    String synchronousMode;

    @Option(names = "--tls", description = "TLS between nodes and towards the router's servers, and HTTPS REST APIs, "
            + "with certificates from an authority made for the lab (openssl).")
    boolean tls;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<String> regionList = LabPlan.parseRegions(regions);
        if (!cluster.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
            throw new CliException("--cluster: expected letters, digits, '_', '.', '-', got \"" + cluster + "\"");
        }
        if (!Files.isExecutable(pgBin.resolve("pg_ctl"))) {
            throw new CliException("--pg-bin: no pg_ctl in " + pgBin + " (install postgresql-15, or point --pg-bin at its bin folder)");
        }
        if (timeoutSeconds <= 0) {
            throw new CliException("--timeout: expected a positive number of seconds, got " + timeoutSeconds);
        }
        if (!DynamicConfigParser.SYNC_MODES.contains(synchronousMode)) {
            throw new CliException("--synchronous-mode: expected off, quorum or region_quorum, got \"" + synchronousMode + "\"");
        }
        WanPlan wanPlan = wan ? WanPlan.parse(regionList, rtt, jitterMillis, bandwidthMbit) : null;
        LabProcesses.meridianCommand(); // fail on a missing jar before anything is created
        Path labDir = (dir == null ? LabState.defaultDir() : dir).toAbsolutePath().normalize();
        LabPlan plan = new LabPlan(labDir, cluster, regionList);
        LabFolder.create(labDir);
        List<String> meridian = LabProcesses.meridianCommand(labDir);
        // Until the lab is up, a failure or a Ctrl-C stops what was started (etcd is our child and
        // dies with a Ctrl-C anyway) and keeps the folder for its logs.
        Thread cleanup = new Thread(() -> stopKeepingLogs(labDir, out), "lab-up-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            bringUp(plan, wanPlan, meridian, out);
        } catch (Exception e) {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            stopKeepingLogs(labDir, out);
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new CliException("lab up failed: " + msg + "\n(logs kept in " + labDir + "; 'meridian lab down"
                    + (dir == null ? "" : " --dir " + labDir) + "' removes them)", e);
        }
        Runtime.getRuntime().removeShutdownHook(cleanup);
        return 0;
    }

    private static void stopKeepingLogs(Path labDir, PrintWriter out) {
        try {
            LabDown.stopAll(LabState.read(labDir), out);
        } catch (RuntimeException e) {
            out.println("could not stop everything: " + e.getMessage());
        }
        out.flush();
    }

    private void bringUp(LabPlan plan, WanPlan wanPlan, List<String> meridian, PrintWriter out) throws Exception {
        Path labDir = plan.dir();
        List<String> regionList = plan.regions();
        long started = System.nanoTime();

        LabNetwork net = LabNetwork.allocate(plan, wanPlan, tls);
        Path tlsDir = null;
        if (tls) {
            tlsDir = labDir.resolve("tls");
            List<String> others = new ArrayList<>(regionList.stream().map(LabTls::etcdMember).toList());
            others.add(LabTls.ROUTER);
            LabTls.create(tlsDir, regionList.stream().map(LabPlan::nodeName).toList(), others, "postgres");
        }
        LabState state = new LabState(LabState.FORMAT_VERSION, cluster, "/meridian", labDir.toString(),
                System.currentTimeMillis(), new LabState.Etcd(net.directEtcdEndpoints(), List.of()), List.of(), null, null, null);
        state.write();
        if (wanPlan != null) {
            out.println("Starting the WAN emulator (" + wanPlan.describe() + ")…");
            out.flush();
            state = state.withWan(WanDaemonProcess.start(plan, net, wanPlan, meridian));
            state.write();
        }

        out.println("Starting etcd: " + regionList.size() + " member(s), one per region…");
        out.flush();
        List<EtcdServer> etcd = net.etcdServers(labDir.resolve("etcd"), wanPlan, tlsDir);
        List<LabState.EtcdMember> etcdMembers = new ArrayList<>();
        try {
            EtcdServer.startAll(etcd, Duration.ofSeconds(60));
        } finally {
            for (int i = 0; i < etcd.size(); i++) {
                EtcdServer e = etcd.get(i);
                etcdMembers.add(new LabState.EtcdMember(e.name(), regionList.get(i), e.clientUrl(),
                        net.advertisedPeerUrl(i), e.pid(), e.dataDir().toString()));
            }
            state = new LabState(state.version(), cluster, state.namespace(), state.dir(), state.createdAt(),
                    new LabState.Etcd(net.directEtcdEndpoints(), etcdMembers), List.of(), state.wan(), null, null);
            state.write();
        }

        LabSecrets secrets = LabSecrets.generate();
        List<LabState.Node> nodes = new ArrayList<>();
        for (int i = 0; i < regionList.size(); i++) {
            String region = regionList.get(i);
            String name = LabPlan.nodeName(region);
            LabFolder.createNodeDirs(plan.nodeDir(name), plan.dataDir(name), "postgres");
            NodeFiles.Spec s = new NodeFiles.Spec(cluster, name, region, plan.dataDir(name), pgBin,
                    net.pgPort(i), net.pgConnectPort(i), net.restPort(i), net.restConnectPort(i),
                    net.etcdEndpointsFor(i), state.namespace(), synchronousMode, tlsDir);
            NodeFiles.writePrivate(plan.nodeFile(name), NodeFiles.render(s, secrets));
            NodeConfigLoader.load(plan.nodeFile(name)); // refuse here, naming the key, rather than in an agent log
            nodes.add(new LabState.Node(name, region, plan.nodeFile(name).toString(), net.pgPort(i), net.restPort(i),
                    plan.dataDir(name).toString(), plan.agentLog(name).toString(), -1));
        }
        List<Integer> pgPorts = new ArrayList<>();
        for (int i = 0; i < regionList.size(); i++) {
            pgPorts.add(net.pgPort(i));
            // On a WAN lab the address members publish (and clients such as `meridian plan` use) is the
            // relay's entry port, not the node's own: the passfile names both.
            if (net.pgConnectPort(i) != net.pgPort(i)) {
                pgPorts.add(net.pgConnectPort(i));
            }
        }
        LabRouter.Ports routerPorts = LabRouter.Ports.allocate();
        pgPorts.add(routerPorts.rw());
        pgPorts.add(routerPorts.ro());
        NodeFiles.writePrivate(plan.pgpass(), NodeFiles.pgpass(pgPorts, secrets));
        Path routerFile = labDir.resolve("router.yml");
        NodeFiles.writePrivate(routerFile, LabRouter.config(cluster, regionList.get(0), net.directEtcdEndpoints(),
                state.namespace(), routerPorts, secrets, tlsDir));
        // Every agent serves the live dashboard; the first region's is as good as any.
        String dashboard = (tls ? "https" : "http") + "://127.0.0.1:" + net.restPort(0) + "/dashboard";
        state = new LabState(state.version(), cluster, state.namespace(), state.dir(), state.createdAt(),
                state.etcd(), nodes, state.wan(), null, dashboard);
        state.write();

        io.meridian.core.dcs.EtcdTls etcdTls = tlsDir == null ? null : new io.meridian.core.dcs.EtcdTls(LabTls.authority(tlsDir),
                LabTls.certificate(tlsDir, LabTls.ROUTER), LabTls.key(tlsDir, LabTls.ROUTER));
        try (Dcs dcs = EtcdDcs.connect(net.directEtcdEndpoints(), state.namespace(), cluster, null, 6, 5, etcdTls)) {
            LabWait wait = new LabWait(dcs, out);
            // The first region's node starts alone so it runs initdb and leads: a predictable lab.
            LabState.Node first = startAgent(state, nodes.get(0), meridian, out);
            state = state.withNode(first);
            state.write();
            wait.until(LabWait::hasLeader, List.of(first), Duration.ofSeconds(timeoutSeconds), "a leader");
            List<LabState.Node> all = new ArrayList<>(List.of(first));
            for (LabState.Node n : nodes.subList(1, nodes.size())) {
                LabState.Node startedNode = startAgent(state, n, meridian, out);
                state = state.withNode(startedNode);
                all.add(startedNode);
            }
            state.write();
            wait.until(LabWait.allStreaming(state.nodes().stream().map(LabState.Node::name).toList()), all,
                    Duration.ofSeconds(timeoutSeconds), "streaming replication to every replica");
        }
        state = state.withRouter(LabRouter.start(labDir, routerFile, routerPorts, plan.pgpass(), meridian, out));
        state.write();
        out.printf("Lab up in %.1f s: %s%n", (System.nanoTime() - started) / 1e9, labDir);
        out.println("Dashboard: " + state.dashboardUrl());
        out.println(LabStatus.render(LabStatus.collect(state)));
        out.println("Try: ./meridian list    ./meridian lab status    psql \"" + LabPlan.dsn(state.nodes().get(0).pgPort(), plan.pgpass()) + "\"");
        out.flush();
    }

    static LabState.Node startAgent(LabState state, LabState.Node node, List<String> meridian, PrintWriter out) {
        List<String> cmd = new ArrayList<>(meridian);
        cmd.addAll(List.of("agent", "-c", node.config()));
        long pid = LabProcesses.spawnDetached(cmd, Path.of(node.log()));
        out.println("Started the agent of " + node.name() + " (pid " + pid + ", log " + node.log() + ")");
        out.flush();
        return node.withAgentPid(pid);
    }
}
