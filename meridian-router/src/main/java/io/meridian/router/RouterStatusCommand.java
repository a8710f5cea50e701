package io.meridian.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.core.config.ConfigException;
import io.meridian.router.config.RouterConfig;
import io.meridian.router.config.RouterConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meridian router status -c router.yml [--format json]}: what a running router has applied and measured. */
@Command(name = "status", description = "Show the leader, applied cluster revision and measured lag of a running router.")
public final class RouterStatusCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "The router's YAML file.")
    Path config;

    @Option(names = "--format", defaultValue = "text", description = "text or json")
    String format;

    @Override
    public Integer call() throws IOException, InterruptedException {
        RouterConfig cfg = RouterConfigLoader.load(config);
        if (cfg.httpListen() == null) {
            throw new ConfigException(cfg.source(), "listen.http", "missing (status needs the router's HTTP address)");
        }
        URI uri = URI.create("http://" + cfg.httpListen() + "/status");
        HttpResponse<String> resp;
        try {
            resp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IOException("router " + cfg.name() + " does not answer at " + uri + ": " + e.getMessage(), e);
        }
        if ("json".equals(format)) {
            System.out.println(resp.body());
            return 0;
        }
        JsonNode s = new ObjectMapper().readTree(resp.body());
        System.out.printf("router %s (cluster %s, region %s): leader %s, revision %s, read-write %s%n",
                s.path("router").asText(), s.path("cluster").asText(), s.path("region").asText(),
                s.path("leader").asText("none"), s.path("applied_revision").asText(), s.path("read_write").asText());
        System.out.printf("%-16s %-10s %-22s %-7s %-14s %12s %10s %8s %6s%n",
                "NODE", "REGION", "ADDRESS", "ROLE", "LSN", "LAG_BYTES", "LAG_MS", "RTT_MS", "CONNS");
        for (JsonNode n : s.path("nodes")) {
            String role = n.path("leader").asBoolean() ? "leader" : n.path("in_recovery").asBoolean() ? "replica" : "?";
            System.out.printf("%-16s %-10s %-22s %-7s %-14s %12d %10d %8s %6d%n", n.path("name").asText(), n.path("region").asText(),
                    n.path("address").asText(), role, n.path("lsn").asText("-"), n.path("lag_bytes").asLong(),
                    n.path("lag_ms").asLong(), n.path("rtt_ms").isNull() ? "-" : String.format("%.2f", n.path("rtt_ms").asDouble()),
                    n.path("connections").asInt());
        }
        return 0;
    }
}
