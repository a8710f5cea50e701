package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.config.DynamicConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real agent on a real PostgreSQL and etcd, asked for more restarts at once than the REST API
 * used to have threads: its health checks keep answering within a second the whole time (an HAProxy
 * check must never time out because an operator is at work), and every restart is carried out.
 */
class RestResponsivenessTest {

    private static final Duration FAST = Duration.ofSeconds(1);
    private TestCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** One check as HAProxy makes it: a new connection, {@code OPTIONS}, the status code, closed. */
    private static int check(String base, String path) throws java.io.IOException {
        URI u = URI.create(base);
        try (java.net.Socket s = new java.net.Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(60_000);
            s.getOutputStream().write(("OPTIONS " + path + " HTTP/1.1\r\nHost: " + u.getHost() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            if (line == null || !line.startsWith("HTTP/1.1 ")) {
                throw new java.io.IOException("no status line: " + line);
            }
            return Integer.parseInt(line.substring(9, 12));
        }
    }

    @Test
    void healthAnswersWithinASecondWhileRestartsAreInProgress() throws Exception {
        cluster = TestCluster.booted(List.of("paris"), DynamicConfig.DEFAULTS, false, Duration.ofSeconds(120));
        String node = cluster.names().get(0);
        String base = cluster.restUrl(node);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + cluster.restPassword()).getBytes(StandardCharsets.UTF_8));
        List<CompletableFuture<HttpResponse<String>>> restarts = new ArrayList<>();
        for (int i = 0; i < 8; i++) { // twice the threads main's REST API had, within the operation lane's eight
            restarts.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/restart")).timeout(Duration.ofMinutes(5))
                    .header("Authorization", auth).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        long slowest = 0;
        int probes = 0;
        long pgWasDownAt = -1;
        List<String> errors = new ArrayList<>();
        while (restarts.stream().anyMatch(f -> !f.isDone())) {
            for (String path : List.of("/health", "/liveness", "/primary")) {
                long started = System.nanoTime();
                int status;
                try {
                    status = check(base, path);
                } catch (java.io.IOException e) {
                    errors.add(String.format("%s after %d probes, %d restarts done, %.0f ms: %s", path, probes,
                            restarts.stream().filter(CompletableFuture::isDone).count(), (System.nanoTime() - started) / 1e6, e));
                    continue;
                }
                long took = System.nanoTime() - started;
                slowest = Math.max(slowest, took);
                probes++;
                if ("/health".equals(path) && status == 503) {
                    pgWasDownAt = System.nanoTime();
                }
                assertThat(Duration.ofNanos(took)).as(path + " while restarts run (" + probes + " probes so far)").isLessThan(FAST);
            }
            Thread.sleep(50); // the polling period
        }
        assertThat(errors).as("probes that got no answer").isEmpty();
        for (var f : restarts) {
            assertThat(f.join().statusCode()).as(f.join().body()).isEqualTo(200);
        }
        assertThat(pgWasDownAt).as("PostgreSQL was seen restarting by /health").isPositive();
        System.out.printf("RestResponsivenessTest: %d probes during 8 restarts, slowest %.0f ms%n", probes, slowest / 1e6);
    }
}
