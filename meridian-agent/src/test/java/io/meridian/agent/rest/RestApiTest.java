package io.meridian.agent.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.RouterState;
import io.meridian.core.config.HostPort;
import io.meridian.core.postgres.PgState;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The REST API's lanes and timeouts, against an agent stand-in whose operator requests block until
 * released (the seam: how long a real /restart takes is the HA loop's business, see
 * {@code RestResponsivenessTest} for one on a real cluster). Health answers must not wait for
 * operations, for clients that send half a request, or for clients that send nothing.
 */
class RestApiTest {

    /** Generous for a loaded, shared 2-core machine; an answer queued behind an operation takes as long as it. */
    private static final Duration FAST = Duration.ofSeconds(1);

    private final CountDownLatch release = new CountDownLatch(1);
    private RestApi api;
    private HttpClient http;
    private String base;

    @BeforeEach
    void start() throws Exception {
        api = new RestApi(new HostPort("127.0.0.1", 0), "admin", "secret", new BlockingAgent(release));
        api.start();
        base = "http://127.0.0.1:" + api.port();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        release.countDown();
        api.close();
    }

    @Test
    void healthStaysFastWhileOperationsWait() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            slow.add(http.sendAsync(post("/restart"), HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> BlockingAgent.waiting.get() >= 6);
        for (String path : List.of("/liveness", "/health", "/primary", "/replica?lag=10MB", "/status", "/metrics")) {
            assertFast(path);
        }
        // Operations finish one by one while a load balancer keeps checking on the same client.
        BlockingAgent.oneByOne.set(true);
        release.countDown();
        while (slow.stream().anyMatch(f -> !f.isDone())) {
            assertFast("/liveness");
            assertFast("/primary");
        }
        for (var f : slow) {
            assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        assertFast("/health");
    }

    @Test
    void tooManyOperationsAreRefusedAtOnceAndLivenessStillAnswers() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            slow.add(http.sendAsync(post(i % 2 == 0 ? "/restart" : "/switchover"), HttpResponse.BodyHandlers.ofString()));
        }
        // Those beyond the operation pool are answered 503 without waiting for the others.
        await().atMost(Duration.ofSeconds(10)).until(() -> slow.stream().filter(f -> f.isDone()).count() >= 12);
        assertThat(slow.stream().filter(CompletableFuture::isDone).map(f -> f.join().statusCode()))
                .containsOnly(503);
        assertFast("/liveness");
        release.countDown();
        for (var f : slow) {
            assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isIn(200, 503);
        }
    }

    @Test
    void halfSentRequestsAreDroppedAfterTheTimeoutWithoutBlockingOthers() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            // More clients than the probe lane has threads, each stuck in the middle of its headers,
            // and some that connect and send nothing at all.
            for (int i = 0; i < 12; i++) {
                Socket s = new Socket("127.0.0.1", api.port());
                s.setSoTimeout((int) Duration.ofSeconds(60).toMillis());
                if (i % 3 != 0) {
                    OutputStream out = s.getOutputStream();
                    out.write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                idle.add(s);
            }
            Thread.sleep(200); // let the server pick them up: what is measured is that they do not block it
            assertFast("/liveness");
            assertFast("/health");
            long started = System.nanoTime();
            for (Socket s : idle) {
                InputStream in = s.getInputStream();
                // The server closes: end of stream (or a reset), within the request timeout plus its 1 s timer.
                int read;
                try {
                    read = in.read();
                } catch (java.net.SocketException reset) {
                    read = -1;
                }
                assertThat(read).as("a half-sent request gets no answer").isEqualTo(-1);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isLessThan(Duration.ofSeconds(RestApi.REQUEST_SECONDS + 15));
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void malformedQueryStringsAre400WithOneLine() throws Exception {
        for (String q : List.of("/replica?lag=%zz", "/health?%", "/replica?lag=%E0%A4%A", "/replica?lag=abc",
                "/replica?lag=", "/primary?lag=abc", "/readiness?lag=1XB", "/replica?replication_state=bogus",
                "/status?x=%G0")) {
            for (String method : List.of("GET", "HEAD", "OPTIONS")) {
                String[] answer = raw(method, q);
                assertThat(answer[0]).as(method + " " + q).startsWith("HTTP/1.1 400");
                assertThat(answer[1]).as(method + " " + q).doesNotContain("\n");
            }
        }
        // Well-formed ones still work.
        assertThat(raw("GET", "/replica?lag=10MB&replication_state=streaming")[0]).startsWith("HTTP/1.1 200");
        assertThat(raw("GET", "/replica?lag=%31%30MB")[0]).startsWith("HTTP/1.1 200");
    }

    /** One request written by hand (java.net.URI would refuse to send a bad escape): status line and body. */
    private String[] raw(String method, String target) throws Exception {
        try (Socket s = new Socket("127.0.0.1", api.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write((method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = all.indexOf("\r\n\r\n");
            return new String[] {all.lines().findFirst().orElse(""), end < 0 ? "" : all.substring(end + 4)};
        }
    }

    /** The agent's SIGHUP changes the Basic credentials: the old password is refused from the next request on. */
    @Test
    void newCredentialsApplyFromTheNextRequest() throws Exception {
        assertThat(failsafe("admin", "secret")).isEqualTo(200);
        api.credentials("admin", "rotated");
        assertThat(failsafe("admin", "secret")).isEqualTo(401);
        assertThat(failsafe("admin", "rotated")).isEqualTo(200);
    }

    private int failsafe(String user, String password) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/failsafe")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("{\"leader\":\"x\"}")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void assertFast(String path) throws Exception {
        long started = System.nanoTime();
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(r.statusCode()).as(path).isIn(200, 503);
        assertThat(took).as(path + " answered in " + took.toMillis() + " ms").isLessThan(FAST);
    }

    private HttpRequest post(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:secret".getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    }

    /** Answers health like a running replica; operations wait for the test to release them. */
    private static final class BlockingAgent implements AgentEndpoints {
        static final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
        static final java.util.concurrent.atomic.AtomicBoolean oneByOne = new java.util.concurrent.atomic.AtomicBoolean();
        private final CountDownLatch release;

        BlockingAgent(CountDownLatch release) {
            this.release = release;
            waiting.set(0);
            oneByOne.set(false);
        }

        @Override
        public int health(String path, Map<String, String> query) {
            PgState replica = new PgState(true, true, 1, io.meridian.core.cluster.Lsn.ZERO, io.meridian.core.cluster.Lsn.ZERO,
                    io.meridian.core.cluster.Lsn.ZERO, true, "127.0.0.1", 0, false, "1", List.of(), List.of(), 0);
            return HealthCheck.status(path, query, null, "me", replica, 0, io.meridian.core.cluster.MemberTags.DEFAULT);
        }

        @Override
        public Object status() {
            return Map.of("state", "running");
        }

        @Override
        public Object patroni() {
            return Map.of("state", "running");
        }

        @Override
        public Cluster cluster() {
            throw new IllegalStateException("no cluster in this test");
        }

        @Override
        public List<RouterState> routers() {
            return List.of();
        }

        @Override
        public String metrics() {
            return "meridian_up 1\n";
        }

        @Override
        public Object dashboardData() {
            return Map.of();
        }

        private Response slow() throws InterruptedException {
            waiting.incrementAndGet();
            release.await(60, TimeUnit.SECONDS);
            if (oneByOne.get()) {
                synchronized (BlockingAgent.class) {
                    Thread.sleep(300); // like the HA loop, one at a time
                }
            }
            return Response.json(200, Map.of("message", "done"));
        }

        @Override
        public Response switchover(String body, boolean failover) throws Exception {
            return slow();
        }

        @Override
        public Response cancelSwitchover() {
            return Response.json(200, Map.of());
        }

        @Override
        public Response operator(String action) throws Exception {
            return slow();
        }

        @Override
        public Response restart(String body) throws Exception {
            return slow();
        }

        @Override
        public Response cancelRestart() {
            return Response.json(404, Map.of());
        }

        @Override
        public Response failsafe(String body) {
            return Response.json(200, Map.of());
        }

        @Override
        public Response patchConfig(String body, boolean replace) {
            return Response.json(200, Map.of());
        }
    }
}
