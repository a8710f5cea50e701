package io.meridian.lab.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one address every region dials to reach one service of one region (an etcd peer URL, a
 * PostgreSQL or REST connect address). Each accepted connection is spliced, without delay, into
 * the relay of the caller's own link, found by {@link SourceRegions}; callers from the same region
 * or outside the lab (the CLI, psql) go straight to the service.
 */
final class EntryPort implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EntryPort.class);

    private final WanLinks.Entry entry;
    private final Map<String, Integer> relayPortByRegion;
    private final SourceRegions sources;
    private final ServerSocket server;
    private final AtomicLong unknownSources = new AtomicLong();

    /** @param relayPortByRegion caller's region to the port of its relay towards {@code entry.region()} */
    EntryPort(WanLinks.Entry entry, Map<String, Integer> relayPortByRegion, SourceRegions sources) throws IOException {
        this.entry = entry;
        this.relayPortByRegion = Map.copyOf(relayPortByRegion);
        this.sources = sources;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), entry.port()));
        Thread t = new Thread(this::acceptLoop, "wan-entry-" + entry.service() + "@" + entry.region());
        t.setDaemon(true);
        t.start();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                // The /proc lookup can take a while on a busy machine: never hold up the next accept.
                Thread t = new Thread(() -> route(client), "wan-route-" + entry.service() + "@" + entry.region());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.warn("{}@{}: {}", entry.service(), entry.region(), e.toString());
                }
            }
        }
    }

    private void route(Socket client) {
        try {
            client.setTcpNoDelay(true);
            SourceRegions.Source source = sources.lookup(client.getPort(), entry.port());
            String from = source.region();
            Integer relay = from == null ? null : relayPortByRegion.get(from);
            if (from == null) {
                unknownSources.incrementAndGet();
            }
            int port = relay == null ? entry.targetPort() : relay;
            LOG.info("{}@{}: connection from {} via port {}", entry.service(), entry.region(), source, port);
            Socket upstream = new Socket(InetAddress.getLoopbackAddress(), port);
            upstream.setTcpNoDelay(true);
            splice(client, upstream);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}@{}: cannot route a connection: {}", entry.service(), entry.region(), e.toString());
            closeQuietly(client);
        }
    }

    /** Copies both ways on two threads; closing one side closes the other. */
    private void splice(Socket a, Socket b) {
        copy(a, b, "up");
        copy(b, a, "down");
    }

    private void copy(Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException closed) {
                // one end went away: the finally below closes the other
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "wan-splice-" + entry.service() + "@" + entry.region() + "-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    long unknownSources() {
        return unknownSources.get();
    }

    WanLinks.Entry entry() {
        return entry;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
