package io.meridian.lab.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real etcd member run as a child process on loopback: alone, or as one member of a static
 * cluster ({@code --initial-cluster}). Used by the lab and by the testkit.
 *
 * <p>Layout under {@link #dir()}: {@code data/} (etcd's data dir) and {@code etcd.log} (stdout and
 * stderr of the process, appended across restarts).
 *
 * <p>Timings: heartbeat 100 ms, election timeout 1000 ms by default. On loopback the peer round
 * trip is well under a millisecond, so etcd's own advice (heartbeat ≈ RTT, election ≈ 10 ×
 * heartbeat) would allow less; 1000 ms keeps a 2-core machine's scheduling pauses from triggering
 * spurious elections, and still elects a new etcd leader in about a second, far inside Meridian's
 * 6 s ttl. It also sets etcd's minimum lease TTL (1.5 × election timeout, so 2 s) which tests rely
 * on. A lab that puts emulated WAN latency between members should raise both with
 * {@link #timings(int, int)}.
 */
public final class EtcdServer implements AutoCloseable {

    public static final Path DEFAULT_BINARY = Path.of("/usr/bin/etcd");
    private static final Logger LOG = LoggerFactory.getLogger(EtcdServer.class);
    private static final String HOST = "127.0.0.1";

    private final String name;
    private final Path dir;
    private final int clientPort;
    private final int peerPort;
    private Map<String, String> initialCluster;
    private final String clusterToken;
    private Path binary = DEFAULT_BINARY;
    private int heartbeatMillis = 100;
    private int electionMillis = 1000;
    private Process process;
    private boolean killOnJvmExit;
    /** Client TLS: certificate and key, the authority client certificates must chain to (or null), and a plain-text port for /health. */
    private Path tlsCertificate;
    private Path tlsKey;
    private Path clientCa;
    private int healthPort;
    private Thread exitHook;

    /**
     * @param initialCluster member name to advertised peer URL for every member of the cluster,
     *                       this one included (its entry is advertised as this member's peer URL,
     *                       so a lab may point it at a WAN relay)
     */
    public EtcdServer(String name, Path dir, int clientPort, int peerPort, Map<String, String> initialCluster,
            String clusterToken) {
        if (!initialCluster.containsKey(name)) {
            throw new IllegalArgumentException("initial cluster " + initialCluster.keySet() + " lacks member " + name);
        }
        this.name = name;
        this.dir = dir;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.initialCluster = Map.copyOf(new LinkedHashMap<>(initialCluster));
        this.clusterToken = clusterToken;
    }

    /** A single-member etcd on two fresh loopback ports, files under {@code dir}. */
    public static EtcdServer single(String name, Path dir) {
        List<Integer> ports = FreePorts.allocate(2);
        return new EtcdServer(name, dir, ports.get(0), ports.get(1), Map.of(name, url(ports.get(1))),
                "meridian-" + name);
    }

    /** Members of one static cluster, each under {@code baseDir/<name>}; start them with {@link #startAll}. */
    public static List<EtcdServer> cluster(Path baseDir, List<String> names) {
        List<Integer> ports = FreePorts.allocate(2 * names.size());
        Map<String, String> peers = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            peers.put(names.get(i), url(ports.get(2 * i + 1)));
        }
        String token = "meridian-" + String.join("-", names);
        List<EtcdServer> members = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            members.add(new EtcdServer(names.get(i), baseDir.resolve(names.get(i)), ports.get(2 * i),
                    ports.get(2 * i + 1), peers, token));
        }
        return members;
    }

    /** Launches every member, then waits for each: a member of a fresh cluster only answers once a quorum runs. */
    public static void startAll(List<EtcdServer> members, Duration timeout) throws IOException {
        for (EtcdServer member : members) {
            member.launch();
        }
        for (EtcdServer member : members) {
            member.awaitReady(timeout);
        }
    }

    /** Overrides heartbeat and election timeout (milliseconds); call before {@link #launch()}. */
    public EtcdServer timings(int heartbeatMs, int electionMs) {
        this.heartbeatMillis = heartbeatMs;
        this.electionMillis = electionMs;
        return this;
    }

    /**
     * Kills the process if this JVM exits without stopping it, so a crashed test run leaves no
     * orphan etcd behind. Off by default: a lab may start etcd and leave it running on purpose.
     */
    public EtcdServer killOnJvmExit() {
        this.killOnJvmExit = true;
        return this;
    }

    public EtcdServer binary(Path etcdBinary) {
        this.binary = etcdBinary;
        return this;
    }

    /** Launches the process and waits up to 30 s until it answers {@code /health}. */
    public void start() throws IOException {
        launch();
        awaitReady(Duration.ofSeconds(30));
    }

    /**
     * Serves clients over TLS ({@code https://} client URL) with this certificate and key; with
     * {@code clientCa}, only clients presenting a certificate from it ({@code --client-cert-auth}),
     * and members talk to each other over TLS too, each presenting this certificate and checking
     * the others' against {@code clientCa} (the initial cluster's peer URLs must then be
     * {@code https://}). Health is then read from a plain-text metrics port.
     */
    public EtcdServer tls(Path certificate, Path key, Path clientCa) {
        this.tlsCertificate = certificate;
        this.tlsKey = key;
        this.clientCa = clientCa;
        this.healthPort = FreePorts.allocate();
        if (clientCa != null) {
            Map<String, String> https = new LinkedHashMap<>();
            initialCluster.forEach((k, v) -> https.put(k, v.replaceFirst("^http://", "https://")));
            this.initialCluster = Map.copyOf(https);
        }
        return this;
    }

    /** Launches the process without waiting (restarts reuse the data dir, so the member keeps its identity). */
    public synchronized void launch() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("etcd " + name + " already runs as pid " + process.pid());
        }
        Files.createDirectories(dataDir());
        String peers = initialCluster.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
        List<String> command = new java.util.ArrayList<>(List.of(binary.toString(),
                "--name", name,
                "--data-dir", dataDir().toString(),
                "--listen-client-urls", clientUrl(),
                "--advertise-client-urls", clientUrl(),
                "--listen-peer-urls", peerTls() ? "https://" + HOST + ":" + peerPort : url(peerPort),
                "--initial-advertise-peer-urls", initialCluster.get(name),
                "--initial-cluster", peers,
                "--initial-cluster-token", clusterToken,
                // Ignored once the data dir holds a member: a restart rejoins with its old identity.
                "--initial-cluster-state", "new",
                "--heartbeat-interval", Integer.toString(heartbeatMillis),
                "--election-timeout", Integer.toString(electionMillis),
                // A member cut off for a while comes back with a higher term; without pre-vote it
                // deposes the healthy leader on rejoining, and leases stall for an election.
                "--pre-vote",
                "--logger", "zap"));
        if (tlsCertificate != null) {
            command.addAll(List.of("--cert-file", tlsCertificate.toString(), "--key-file", tlsKey.toString(),
                    "--listen-metrics-urls", url(healthPort)));
            if (clientCa != null) {
                command.addAll(List.of("--client-cert-auth", "--trusted-ca-file", clientCa.toString(),
                        "--peer-cert-file", tlsCertificate.toString(), "--peer-key-file", tlsKey.toString(),
                        "--peer-client-cert-auth", "--peer-trusted-ca-file", clientCa.toString()));
            }
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
        process = builder.start();
        if (killOnJvmExit) {
            Process child = process;
            exitHook = new Thread(child::destroyForcibly, "etcd-" + name + "-exit");
            Runtime.getRuntime().addShutdownHook(exitHook);
        }
        LOG.info("started etcd {} pid {} client {} peer {}", name, process.pid(), clientUrl(), initialCluster.get(name));
    }

    /** Waits until {@code /health} answers true (it needs an elected Raft leader), naming the log on failure. */
    public void awaitReady(Duration timeout) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create((tlsCertificate == null ? clientUrl() : url(healthPort)) + "/health"))
                .timeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Process p = process;
            if (p == null || !p.isAlive()) {
                throw new IOException("etcd " + name + " exited with code " + (p == null ? "?" : p.exitValue())
                        + " before it answered; see " + logFile());
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"true\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet, or no Raft leader yet: poll again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for etcd " + name, e);
            }
            sleepQuietly(100);
        }
        throw new IOException("etcd " + name + " did not become healthy on " + clientUrl() + " within "
                + timeout.toMillis() + " ms; see " + logFile());
    }

    /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        removeExitHook();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                LOG.warn("etcd {} ignored SIGTERM for 10 s, killing it", name);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL: the crash a drill wants, no graceful leader transfer. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        removeExitHook();
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGSTOP: the process keeps its sockets but answers nothing, like a hung machine. */
    public void suspend() {
        signal("STOP");
    }

    /** SIGCONT after {@link #suspend()}. */
    public void resume() {
        signal("CONT");
    }

    private void removeExitHook() {
        if (exitHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it kills the process anyway
            }
            exitHook = null;
        }
    }

    private void signal(String signal) {
        long pid = pid();
        if (pid < 0) {
            throw new IllegalStateException("etcd " + name + " is not running");
        }
        try {
            int code = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor();
            if (code != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " exited with " + code);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot signal etcd " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Process id while running, else -1. */
    public synchronized long pid() {
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    public String name() {
        return name;
    }

    public Path dir() {
        return dir;
    }

    public Path dataDir() {
        return dir.resolve("data");
    }

    public Path logFile() {
        return dir.resolve("etcd.log");
    }

    public int clientPort() {
        return clientPort;
    }

    public int peerPort() {
        return peerPort;
    }

    /** The client endpoint, e.g. {@code http://127.0.0.1:2379}, as jetcd and etcdctl take it. */
    private boolean peerTls() {
        return tlsCertificate != null && clientCa != null;
    }

    public String clientUrl() {
        return tlsCertificate == null ? url(clientPort) : "https://" + HOST + ":" + clientPort;
    }

    private static String url(int port) {
        return "http://" + HOST + ":" + port;
    }

    private static void sleepQuietly(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
