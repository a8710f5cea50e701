package io.meridian.lab.cli;

import io.meridian.lab.process.EtcdServer;
import io.meridian.lab.process.FreePorts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every loopback port of a lab and who dials which. Without a WAN plan, everyone dials the real
 * ports. With one, every address that crosses regions is a port of the wan-daemon:
 * <ul>
 *   <li>agents' etcd client endpoints of other regions: one relay per (from, to) pair, since each
 *       node file can name its own;</li>
 *   <li>etcd peer URLs and the PostgreSQL and REST connect addresses: one shared "entry" port per
 *       destination, because every peer dials the same advertised address; the daemon tells the
 *       caller's region from the process that owns the connecting socket and sends it through that
 *       pair's relay (see {@link SourceRegions}).</li>
 * </ul>
 */
public final class LabNetwork {

    /** The services a node exposes to other regions, each behind an entry port with --wan. */
    enum Service { ETCD_PEER, POSTGRES, REST }

    private final List<String> regions;
    private final int[] etcdClient;
    private final int[] etcdPeer;
    private final int[] pg;
    private final int[] rest;
    private final Map<String, Integer> entry = new LinkedHashMap<>();
    private final Map<String, Integer> clientRelay = new LinkedHashMap<>();
    private final boolean wan;

    private String scheme = "http";

    private LabNetwork(List<String> regions, boolean wan) {
        int n = regions.size();
        this.regions = List.copyOf(regions);
        this.wan = wan;
        List<Integer> ports = FreePorts.allocate(4 * n + (wan ? 3 * n + n * (n - 1) : 0));
        etcdClient = new int[n];
        etcdPeer = new int[n];
        pg = new int[n];
        rest = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            etcdClient[i] = ports.get(k++);
            etcdPeer[i] = ports.get(k++);
            pg[i] = ports.get(k++);
            rest[i] = ports.get(k++);
        }
        if (wan) {
            for (int i = 0; i < n; i++) {
                for (Service s : Service.values()) {
                    entry.put(entryKey(s, regions.get(i)), ports.get(k++));
                }
                for (int j = 0; j < n; j++) {
                    if (i != j) {
                        clientRelay.put(regions.get(i) + ">" + regions.get(j), ports.get(k++));
                    }
                }
            }
        }
    }

    public static LabNetwork allocate(LabPlan plan, WanPlan wanPlan) {
        return allocate(plan, wanPlan, false);
    }

    /** @param tls etcd speaks TLS to its clients and between members ({@code https://} URLs) */
    public static LabNetwork allocate(LabPlan plan, WanPlan wanPlan, boolean tls) {
        LabNetwork n = new LabNetwork(plan.regions(), wanPlan != null);
        n.scheme = tls ? "https" : "http";
        return n;
    }

    static String entryKey(Service s, String region) {
        return s.name().toLowerCase(java.util.Locale.ROOT) + "@" + region;
    }

    /** What the CLI and the lab itself dial: the real client ports, never through relays. */
    public List<String> directEtcdEndpoints() {
        List<String> out = new ArrayList<>();
        for (int p : etcdClient) {
            out.add(url(p));
        }
        return out;
    }

    /** What node {@code i} dials: its own region's member first, the others through relays with --wan. */
    public List<String> etcdEndpointsFor(int i) {
        List<String> out = new ArrayList<>(List.of(url(etcdClient[i])));
        for (int j = 0; j < regions.size(); j++) {
            if (j != i) {
                out.add(url(wan ? clientRelay.get(regions.get(i) + ">" + regions.get(j)) : etcdClient[j]));
            }
        }
        return out;
    }

    public int pgPort(int i) {
        return pg[i];
    }

    public int restPort(int i) {
        return rest[i];
    }

    public int pgConnectPort(int i) {
        return wan ? entry.get(entryKey(Service.POSTGRES, regions.get(i))) : pg[i];
    }

    public int restConnectPort(int i) {
        return wan ? entry.get(entryKey(Service.REST, regions.get(i))) : rest[i];
    }

    public String advertisedPeerUrl(int i) {
        return url(wan ? entry.get(entryKey(Service.ETCD_PEER, regions.get(i))) : etcdPeer[i]);
    }

    /**
     * The etcd members, peer URLs advertised through the entry ports with --wan. Raft timings follow
     * etcd's advice (heartbeat about the round trip, election about ten heartbeats), never below the
     * loopback defaults.
     */
    public List<EtcdServer> etcdServers(Path baseDir, WanPlan wanPlan) {
        return etcdServers(baseDir, wanPlan, null);
    }

    /** @param tlsDir the lab's certificates: every member serves and checks TLS with its own, or null */
    List<EtcdServer> etcdServers(Path baseDir, WanPlan wanPlan, Path tlsDir) {
        Map<String, String> peers = new LinkedHashMap<>();
        for (int i = 0; i < regions.size(); i++) {
            peers.put(regions.get(i), advertisedPeerUrl(i));
        }
        int maxRtt = wanPlan == null ? 0 : wanPlan.rttMillis().values().stream().mapToInt(Integer::intValue).max().orElse(0);
        List<EtcdServer> out = new ArrayList<>();
        for (int i = 0; i < regions.size(); i++) {
            EtcdServer e = new EtcdServer(regions.get(i), baseDir.resolve(regions.get(i)), etcdClient[i], etcdPeer[i],
                    peers, "meridian-lab-" + String.join("-", regions));
            if (maxRtt > 0) {
                e.timings(Math.max(100, maxRtt / 2), Math.max(1000, 5 * maxRtt));
            }
            if (tlsDir != null) {
                String member = LabTls.etcdMember(regions.get(i));
                e.tls(LabTls.certificate(tlsDir, member), LabTls.key(tlsDir, member), LabTls.authority(tlsDir));
            }
            out.add(e);
        }
        return out;
    }

    /** The relays and entry ports the wan-daemon must open (empty without --wan). */
    public WanLinks links(WanPlan plan) {
        List<WanLinks.Entry> entries = new ArrayList<>();
        List<WanLinks.Relay> relays = new ArrayList<>();
        if (!wan) {
            return new WanLinks(entries, relays);
        }
        for (int i = 0; i < regions.size(); i++) {
            String to = regions.get(i);
            entries.add(new WanLinks.Entry("etcd-peer", to, entry.get(entryKey(Service.ETCD_PEER, to)), etcdPeer[i]));
            entries.add(new WanLinks.Entry("postgres", to, entry.get(entryKey(Service.POSTGRES, to)), pg[i]));
            entries.add(new WanLinks.Entry("rest", to, entry.get(entryKey(Service.REST, to)), rest[i]));
            for (int j = 0; j < regions.size(); j++) {
                if (j != i) {
                    String from = regions.get(j);
                    relays.add(new WanLinks.Relay("etcd-client", from, to, clientRelay.get(from + ">" + to), etcdClient[i],
                            plan.rtt(from, to)));
                }
            }
        }
        return new WanLinks(entries, relays);
    }

    private String url(int port) {
        return scheme + "://127.0.0.1:" + port;
    }
}
