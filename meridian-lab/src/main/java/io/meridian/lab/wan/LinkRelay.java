package io.meridian.lab.wan;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A userspace stand-in for a WAN link between two regions (this kernel has no netem): a TCP relay
 * on a loopback port that forwards to {@code target}, adding a one-way delay per direction,
 * jitter, an optional bandwidth cap and partitions. "Upstream" is client to target, "downstream"
 * target to client; a round trip through the relay costs upstream + downstream delay.
 *
 * <p>Changes apply to bytes read after the change; bytes already queued keep their arrival time,
 * and byte order within a connection is always kept. A cut holds traffic (see {@link DelayedPipe})
 * and never closes or resets connections; new connections are still accepted, and connected to
 * the target, but no byte crosses a cut direction until {@link #heal()}.
 *
 * <p>All relays share two event-loop threads: a relay spends its time waiting on timers, not
 * copying bytes.
 */
public final class LinkRelay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LinkRelay.class);
    private static final EventLoopGroup LOOPS = new NioEventLoopGroup(2, new DefaultThreadFactory("meridian-wan", true));

    private final String targetHost;
    private final int targetPort;
    private final LinkShape shape = new LinkShape();
    private final Set<RelayedConnection> connections = ConcurrentHashMap.newKeySet();
    private final Channel server;

    private LinkRelay(int listenPort, String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(LOOPS)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                // Nothing is read from a client before its target connection exists.
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel client) {
                        connectTarget(client);
                    }
                });
        try {
            this.server = bootstrap.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort))
                    .sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding relay to " + target(), e);
        } catch (RuntimeException e) {
            throw new IOException("cannot listen on 127.0.0.1:" + listenPort + " for relay to " + target(), e);
        }
        LOG.info("WAN relay 127.0.0.1:{} -> {}", port(), target());
    }

    /**
     * Starts a relay with no delay, no cap and no cut.
     *
     * @param listenPort loopback port to listen on, or 0 for any free port (see {@link #port()})
     */
    public static LinkRelay start(int listenPort, String targetHost, int targetPort) throws IOException {
        return new LinkRelay(listenPort, targetHost, targetPort);
    }

    private void connectTarget(Channel client) {
        new Bootstrap()
                .group(client.eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // handlers are added once both ends exist
                    }
                })
                .connect(targetHost, targetPort)
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        LOG.debug("relay to {} cannot reach the target: {}", target(), f.cause().toString());
                        client.close();
                        return;
                    }
                    if (!client.isActive()) {
                        f.channel().close();
                        return;
                    }
                    RelayedConnection connection = new RelayedConnection(client, f.channel(), shape);
                    connections.add(connection);
                    client.closeFuture().addListener(c -> connections.remove(connection));
                    connection.start();
                });
    }

    /** One-way delay in each direction; a round trip through the relay costs their sum. */
    public void setDelay(Duration upstream, Duration downstream) {
        shape.delays(nonNegative(upstream, "upstream delay").toNanos(),
                nonNegative(downstream, "downstream delay").toNanos());
    }

    /** The same one-way delay in both directions (round trip = 2 × {@code oneWay}). */
    public void setDelay(Duration oneWay) {
        setDelay(oneWay, oneWay);
    }

    /** Random extra delay, uniform in [0, jitter], per chunk; never reorders bytes. */
    public void setJitter(Duration jitter) {
        shape.jitter(nonNegative(jitter, "jitter").toNanos());
    }

    /** Caps each direction at {@code bytesPerSecond}, shared by all connections; 0 removes the cap. */
    public void setBandwidth(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bandwidth must be >= 0 bytes/s, got " + bytesPerSecond);
        }
        shape.bandwidth(bytesPerSecond);
    }

    /** Partitions the chosen directions (true = cut); the other direction keeps flowing. */
    public void cut(boolean upstream, boolean downstream) {
        shape.cut(upstream, downstream);
        connections.forEach(RelayedConnection::shapeChanged);
        LOG.info("WAN relay {} -> {}: cut upstream={} downstream={}", port(), target(), upstream, downstream);
    }

    /** Ends any partition; held bytes flow again. */
    public void heal() {
        cut(false, false);
    }

    public boolean isCut(boolean upstream) {
        return shape.isCut(upstream);
    }

    public Duration delay(boolean upstream) {
        return Duration.ofNanos(shape.delayNanos(upstream));
    }

    public Duration jitter() {
        return Duration.ofNanos(shape.jitterNanos());
    }

    public long bandwidth() {
        return shape.bytesPerSecond();
    }

    /** The loopback port clients connect to. */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** {@code host:port} of the target. */
    public String target() {
        return targetHost + ":" + targetPort;
    }

    public int openConnections() {
        return connections.size();
    }

    /** Bytes delivered so far in one direction by the connections open now. */
    public long forwardedBytes(boolean upstream) {
        return connections.stream().mapToLong(c -> c.forwardedBytes(upstream)).sum();
    }

    /** Stops listening and closes every relayed connection (both ends). */
    @Override
    public void close() {
        server.close().syncUninterruptibly();
        for (RelayedConnection c : connections) {
            c.closeNow();
        }
        connections.clear();
    }

    private static Duration nonNegative(Duration d, String what) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + d);
        }
        return d;
    }
}
