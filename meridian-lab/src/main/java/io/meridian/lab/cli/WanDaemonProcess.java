package io.meridian.lab.cli;

import io.meridian.core.console.CliException;
import io.meridian.lab.process.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Starts the wan-daemon for a lab and talks to its control API. */
final class WanDaemonProcess {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private WanDaemonProcess() {
    }

    /** Writes wan.json, starts the daemon detached, and waits until it answers (its relays are open then). */
    static LabState.Wan start(LabPlan plan, LabNetwork net, WanPlan wanPlan, List<String> meridian) throws InterruptedException {
        new WanFile(wanPlan, net.links(wanPlan)).write(plan.dir());
        int port = FreePorts.allocate();
        List<String> cmd = new ArrayList<>(meridian);
        cmd.addAll(List.of("lab", "wan-daemon", "--dir", plan.dir().toString(), "--control-port", Integer.toString(port)));
        Path log = plan.dir().resolve("wan.log");
        long pid = LabProcesses.spawnDetached(cmd, log);
        String url = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            if (!LabProcesses.isAlive(pid)) {
                throw new CliException("the WAN emulator exited at start; last lines of " + log + ":\n" + LabProcesses.tail(log, 15));
            }
            try {
                if (call(url, "GET", "/health").statusCode() == 200) {
                    return new LabState.Wan(url, pid, wanPlan.rttMillis());
                }
            } catch (CliException notYet) {
                // still starting
            }
            if (System.nanoTime() > deadline) {
                throw new CliException("the WAN emulator did not answer on " + url + " within 30 s; see " + log);
            }
            Thread.sleep(200);
        }
    }

    static HttpResponse<String> call(String controlUrl, String method, String pathAndQuery) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(controlUrl + pathAndQuery)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CliException("the WAN emulator at " + controlUrl + " does not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while calling the WAN emulator", e);
        }
    }

    /** The daemon's one-line refusal from its JSON answer. */
    static String error(HttpResponse<String> r) {
        try {
            var node = io.meridian.core.console.JsonOutput.MAPPER.readTree(r.body());
            return node.hasNonNull("error") ? node.get("error").asText() : "HTTP " + r.statusCode();
        } catch (IOException e) {
            return "HTTP " + r.statusCode();
        }
    }

    /** The running lab's WAN control URL, or a clear refusal for a lab without --wan. */
    static String controlUrl(LabState state) {
        if (state.wan() == null) {
            throw new CliException("the lab in " + state.dir() + " runs without a WAN emulator: start it with 'meridian lab up --wan'");
        }
        return state.wan().controlUrl();
    }
}
