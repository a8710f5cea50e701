package io.meridian.lab.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.meridian.core.console.CliException;
import io.meridian.core.console.JsonOutput;
import io.meridian.lab.wan.LinkRelay;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meridian lab wan-daemon}: the long-running process that holds the lab's WAN relays, started
 * detached by {@code lab up --wan}. Controlled over HTTP on loopback: {@code GET /health},
 * {@code GET /links}, {@code POST /partition?regions=a,b[&one_way=true]}, {@code POST /heal}.
 */
@Command(name = "wan-daemon", hidden = true, description = "Run the lab's WAN relays (started by 'lab up --wan').")
public final class WanDaemon implements Callable<Integer> {

    @Option(names = "--dir", required = true, description = "Lab folder holding wan.json.")
    Path dir;

    @Option(names = "--control-port", required = true, description = "Loopback port of the control API.")
    int controlPort;

    /** One relay of one link from one region to another. */
    record Link(String service, String from, String to, LinkRelay relay) {
    }

    public record LinkView(String service, String from, String to, int port, String target,
                           @JsonProperty("one_way_ms") long oneWayMillis,
                           @JsonProperty("cut_from_to") boolean cutUp, @JsonProperty("cut_to_from") boolean cutDown,
                           int connections, @JsonProperty("bytes_from_to") long bytesUp,
                           @JsonProperty("bytes_to_from") long bytesDown) {
    }

    private final List<Link> links = new ArrayList<>();
    private final List<EntryPort> entries = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        WanFile file = WanFile.read(dir);
        WanPlan plan = file.plan();
        for (WanLinks.Relay r : file.links().relays()) {
            links.add(new Link(r.service(), r.from(), r.to(), shaped(LinkRelay.start(r.port(), "127.0.0.1", r.targetPort()),
                    plan, r.from(), r.to())));
        }
        SourceRegions sources = new SourceRegions(dir, plan.regions());
        for (WanLinks.Entry e : file.links().entries()) {
            Map<String, Integer> byRegion = new HashMap<>();
            for (String from : plan.regions()) {
                if (!from.equals(e.region())) {
                    LinkRelay relay = shaped(LinkRelay.start(0, "127.0.0.1", e.targetPort()), plan, from, e.region());
                    links.add(new Link(e.service(), from, e.region(), relay));
                    byRegion.put(from, relay.port());
                }
            }
            entries.add(new EntryPort(e, byRegion, sources));
        }
        CountDownLatch stop = new CountDownLatch(1);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), controlPort), 16);
        http.createContext("/", ex -> handle(ex, stop));
        http.start();
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        System.out.println("wan-daemon: " + links.size() + " relays, " + entries.size() + " entry ports, control on 127.0.0.1:" + controlPort);
        stop.await();
        http.stop(0);
        for (Link l : links) {
            l.relay().close();
        }
        for (EntryPort e : entries) {
            e.close();
        }
        return 0;
    }

    private static LinkRelay shaped(LinkRelay relay, WanPlan plan, String from, String to) {
        // Half the round trip each way: a request and its answer cost exactly the link's RTT.
        relay.setDelay(Duration.ofNanos(plan.rtt(from, to) * 500_000L));
        if (plan.jitterMillis() > 0) {
            relay.setJitter(Duration.ofMillis(plan.jitterMillis()));
        }
        if (plan.bandwidthMbit() > 0) {
            relay.setBandwidth(plan.bandwidthMbit() * 125_000L);
        }
        return relay;
    }

    private void handle(HttpExchange ex, CountDownLatch stop) throws IOException {
        URI uri = ex.getRequestURI();
        Map<String, String> q = query(uri.getRawQuery());
        String path = uri.getPath();
        String method = ex.getRequestMethod();
        try {
            if (path.equals("/health")) {
                reply(ex, 200, "{\"status\":\"ok\"}");
            } else if (path.equals("/links") && method.equals("GET")) {
                reply(ex, 200, JsonOutput.write(views()));
            } else if (path.equals("/partition") && method.equals("POST")) {
                Set<String> regions = Set.of(q.getOrDefault("regions", "").split(","));
                partition(regions, Boolean.parseBoolean(q.getOrDefault("one_way", "false")));
                reply(ex, 200, JsonOutput.write(views()));
            } else if (path.equals("/heal") && method.equals("POST")) {
                links.forEach(l -> l.relay().heal());
                reply(ex, 200, JsonOutput.write(views()));
            } else if (path.equals("/stop") && method.equals("POST")) {
                reply(ex, 200, "{\"status\":\"stopping\"}");
                stop.countDown();
            } else {
                reply(ex, 404, "{\"error\":\"no such endpoint: " + method + " " + path + "\"}");
            }
        } catch (CliException e) {
            reply(ex, 400, JsonOutput.write(Map.of("error", e.getMessage())));
        }
    }

    /**
     * Cuts every link between a region in {@code cut} and one outside it, replacing any earlier
     * partition. Both ways by default; {@code oneWay} cuts only what leaves the named regions, so
     * they still hear the others but cannot answer.
     */
    void partition(Set<String> cut, boolean oneWay) {
        Set<String> known = new java.util.HashSet<>();
        links.forEach(l -> {
            known.add(l.from());
            known.add(l.to());
        });
        for (String r : cut) {
            if (!known.contains(r)) {
                throw new CliException("no region '" + r + "' in this lab (regions: " + known + ")");
            }
        }
        for (Link l : links) {
            boolean fromIn = cut.contains(l.from());
            boolean toIn = cut.contains(l.to());
            if (fromIn == toIn) {
                l.relay().heal();
            } else if (!oneWay) {
                l.relay().cut(true, true);
            } else {
                // upstream carries from -> to; cut the direction whose sender is inside the partition
                l.relay().cut(fromIn, toIn);
            }
        }
    }

    List<LinkView> views() {
        List<LinkView> out = new ArrayList<>();
        for (Link l : links) {
            LinkRelay r = l.relay();
            out.add(new LinkView(l.service(), l.from(), l.to(), r.port(), r.target(), r.delay(true).toMillis(),
                    r.isCut(true), r.isCut(false), r.openConnections(), r.forwardedBytes(true), r.forwardedBytes(false)));
        }
        return out;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(java.net.URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }
}
