package io.meridian.router.proxy;

import io.meridian.core.cluster.Member;
import io.meridian.core.tls.PemTls;
import io.meridian.router.ClusterView;
import io.meridian.router.config.LiveConfig;
import io.meridian.router.config.RouterConfig;
import io.meridian.router.ops.RouterMetrics;
import io.meridian.router.route.Backend;
import io.meridian.router.route.RoutePlanner;
import io.meridian.router.wire.StartupPacket;
import io.meridian.router.wire.StartupParser;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.CRL;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two listeners and the event loops behind them. One loop per core serves both accepting and
 * relaying, and a client's server connection runs on the client's own loop.
 */
public final class ProxyServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);
    // Stop reading from one side once 256 KiB wait for the other: bounds memory per connection.
    private static final String LEAK_DETECTION = "io.netty.leakDetection.level";
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);
    static final LoopReadBuffer READS = new LoopReadBuffer();

    final LiveConfig live;
    final RoutePlanner planner;
    final SessionTable table;
    final RouterMetrics metrics;
    private volatile SslContext sslContext;
    private SslContext serverSsl;
    private SslContext serverVerifying;
    final Transport transport = Transport.best();
    private final ClusterView view;
    private final EventLoopGroup loops;
    private Channel rw;
    private Channel ro;

    public ProxyServer(LiveConfig live, ClusterView view, RoutePlanner planner, SessionTable table,
                       RouterMetrics metrics, SslContext sslContext, int threads) {
        this.live = live;
        this.view = view;
        this.planner = planner;
        this.table = table;
        this.metrics = metrics;
        this.sslContext = sslContext;
        this.loops = transport.group(threads, "meridian-router-" + live.get().name());
        if (System.getProperty(LEAK_DETECTION) == null) {
            // Netty's default samples one relayed buffer in 128 with a stack trace: a measurable
            // share of the per-message cost. Tests turn it back on with -Dio.netty.leakDetection.level.
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    public void bind() throws InterruptedException {
        RouterConfig config = live.get();
        rw = listen(config.rwListen().host(), config.rwListen().port(), PortKind.RW);
        ro = listen(config.roListen().host(), config.roListen().port(), PortKind.RO);
        LOG.info("router {} listening: rw {} ro {} ({})", config.name(), rw.localAddress(), ro.localAddress(), transport);
    }

    private Channel listen(String host, int port, PortKind kind) throws InterruptedException {
        return new ServerBootstrap().group(loops).channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, READS)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("startup", new FrontendHandler(ProxyServer.this, kind));
                    }
                })
                .bind(host, port).sync().channel();
    }

    public InetSocketAddress rwAddress() {
        return (InetSocketAddress) rw.localAddress();
    }

    public InetSocketAddress roAddress() {
        return (InetSocketAddress) ro.localAddress();
    }

    RouterConfig config() {
        return live.get();
    }

    /**
     * For connections to the servers in {@code mode} (tls.server_mode, read once by the caller, so
     * a reload in between never pairs a verifying mode with a context that does not verify): the
     * one the router built from tls.server_root_cert and tls.server_crl, or one that does not
     * verify, built on first use.
     */
    synchronized SslContext serverSslContext(RouterConfig.ServerTls mode) throws javax.net.ssl.SSLException {
        if (mode.verifies()) {
            if (serverVerifying == null) {
                throw new javax.net.ssl.SSLException("tls.server_mode " + mode.label() + " but no root certificate is loaded");
            }
            return serverVerifying;
        }
        if (serverSsl == null) {
            serverSsl = ServerTlsUpgrade.clientContext();
        }
        return serverSsl;
    }

    /**
     * A context that accepts only server certificates chaining to {@code rootCert} (PEM) and, when
     * {@code revoked} is given, named in none of those lists (see {@link PemTls#trust}).
     */
    public static SslContext verifyingContext(java.nio.file.Path rootCert, Collection<? extends CRL> revoked) throws IOException {
        // No endpoint identification in the engine (Netty 4.2 turns it on for clients): verify-ca must
        // accept a certificate naming another host; verify-full checks the name itself (ServerTlsUpgrade).
        return SslContextBuilder.forClient().trustManager(PemTls.trust(rootCert, revoked))
                .endpointIdentificationAlgorithm(null).build();
    }

    /** New server connections verify against {@code context} (built by the router at start and on every reload). */
    public synchronized void serverVerifyingContext(SslContext context) {
        this.serverVerifying = context;
    }

    /** Client-side TLS for new connections, or null to answer 'N'. */
    SslContext sslContext() {
        return sslContext;
    }

    /** New client connections use {@code tls} (a reload re-reads certificate files); open ones keep theirs. */
    public void sslContext(SslContext tls) {
        this.sslContext = tls;
    }

    boolean stillLeader(Backend b) {
        Optional<Member> leader = view.leader(config().leaderStaleAfter());
        return leader.isPresent() && SessionTable.isLeader(b, leader.get().name(), addressOf(leader.get()));
    }

    static String addressOf(Member m) {
        return new Backend(m.name(), m.host(), m.port(), true).address();
    }

    /** Sends the CancelRequest to the server that issued the key; unknown keys are dropped, as PostgreSQL does. */
    void forwardCancel(Channel client, StartupPacket.CancelRequest cancel) {
        Backend target = table.cancelTarget(cancelKeyOf(cancel));
        if (target == null) {
            return;
        }
        new Bootstrap().group(client.eventLoop()).channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config().connectTimeout().toMillis())
                .handler(new ChannelInboundHandlerAdapter())
                .connect(target.host(), target.port()).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        f.channel().writeAndFlush(StartupParser.writeCancel(f.channel().alloc(), cancel))
                                .addListener(ChannelFutureListener.CLOSE);
                    }
                });
    }

    private static long cancelKeyOf(StartupPacket.CancelRequest c) {
        return Session.cancelKey(c.processId(), c.secretKey());
    }

    /** Closes read-write connections to anyone but the current leader; returns how many. */
    public int followLeader() {
        Optional<Member> leader = view.leader(config().leaderStaleAfter());
        return leader.map(m -> table.closeReadWriteExcept(m.name(), addressOf(m)))
                .orElseGet(() -> table.closeReadWriteExcept(null, null));
    }

    /**
     * Completes once every event loop has run what was queued on it before this call, such as the
     * closes of a leader change: each loop runs its tasks in order.
     */
    public CompletableFuture<Void> barrier() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (EventExecutor loop : loops) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            loop.execute(() -> f.complete(null));
            all.add(f);
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    @Override
    public void close() {
        if (rw != null) {
            rw.close().syncUninterruptibly();
        }
        if (ro != null) {
            ro.close().syncUninterruptibly();
        }
        loops.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
