package io.meridian.lab.cli;

import io.meridian.lab.process.FreePorts;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lab's router: one {@code meridian router} process in the first region, its read-write and
 * read-only ports reachable with the lab's passfile, so {@code psql "<rw_dsn>"} works as is.
 */
final class LabRouter {

    /** Ports chosen before the pgpass file is written, so it can name them. */
    record Ports(int rw, int ro, int http) {
        static Ports allocate() {
            List<Integer> p = FreePorts.allocate(3);
            return new Ports(p.get(0), p.get(1), p.get(2));
        }
    }

    private LabRouter() {
    }

    /** @param tlsDir the lab's certificates: the router then verifies every server's (verify-full), or null */
    static String config(String cluster, String region, List<String> etcdEndpoints, String namespace, Ports ports,
                         LabSecrets secrets, Path tlsDir) {
        StringBuilder eps = new StringBuilder();
        for (String e : etcdEndpoints) {
            eps.append(eps.length() == 0 ? "" : ", ").append(e);
        }
        return "cluster: " + cluster + "\n"
                + "region: " + region + "\n"
                + "name: router-" + region + "\n"
                + "etcd:\n  endpoints: [" + eps + "]\n  namespace: " + namespace + "\n"
                + (tlsDir == null ? "" : "  tls:\n    ca_file: " + LabTls.authority(tlsDir) + "\n    certificate: "
                        + LabTls.certificate(tlsDir, LabTls.ROUTER) + "\n    private_key: " + LabTls.key(tlsDir, LabTls.ROUTER) + "\n")
                + "listen:\n  rw: 127.0.0.1:" + ports.rw() + "\n  ro: 127.0.0.1:" + ports.ro()
                + "\n  http: 127.0.0.1:" + ports.http() + "\n"
                + "reads:\n  max_lag: \"16MB,5s\"\n  fallback: leader\n"
                + "monitor:\n  username: postgres\n  password: \"" + secrets.superuser() + "\"\n  database: postgres\n"
                + (tlsDir == null ? "" : "tls:\n  server_mode: verify-full\n  server_root_cert: " + LabTls.authority(tlsDir) + "\n");
    }

    static LabState.Router start(Path labDir, Path configFile, Ports ports, Path pgpass, List<String> meridian,
                                 PrintWriter out) throws InterruptedException {
        List<String> cmd = new ArrayList<>(meridian);
        cmd.addAll(List.of("router", "-c", configFile.toString()));
        Path log = labDir.resolve("router.log");
        long pid = LabProcesses.spawnDetached(cmd, log);
        long until = System.nanoTime() + 60_000_000_000L;
        while (!accepts(ports.rw())) {
            if (!LabProcesses.isAlive(pid) || System.nanoTime() > until) {
                throw new IllegalStateException("the router did not start; see " + log + ": "
                        + LabProcesses.tail(log, 3));
            }
            Thread.sleep(100); // polling a port the router is about to open
        }
        out.println("Started the router (pid " + pid + ", rw port " + ports.rw() + ", ro port " + ports.ro()
                + ", log " + log + ")");
        out.flush();
        return new LabState.Router(LabPlan.dsn(ports.rw(), pgpass), LabPlan.dsn(ports.ro(), pgpass), pid);
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
