package io.meridian.router.proxy;

import io.meridian.router.config.RouterConfig;
import io.meridian.router.route.Backend;
import io.meridian.router.route.Decision;
import io.meridian.router.route.RoutingHints;
import io.meridian.router.wire.ConnectionOptions;
import io.meridian.router.wire.ErrorPacket;
import io.meridian.router.wire.ProtocolException;
import io.meridian.router.wire.StartupPacket;
import io.meridian.router.wire.StartupParser;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection until it is relayed: reads the SSL/GSS negotiation and the StartupMessage
 * under strict bounds, takes the router's options out, picks the server, connects, replays the
 * rewritten StartupMessage, then hands the channel to {@link RelayHandler}. Anything malformed gets
 * a FATAL ErrorResponse and closes this connection only.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(FrontendHandler.class);
    private static final long WAIT_STEP_MILLIS = 5;

    private final ProxyServer proxy;
    private final PortKind port;
    private ByteBuf in;
    private boolean negotiatedSsl;
    private boolean negotiatedGss;
    private boolean routing;
    private ScheduledFuture<?> startupTimeout;

    FrontendHandler(ProxyServer proxy, PortKind port) {
        this.proxy = proxy;
        this.port = port;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        in = ctx.alloc().heapBuffer(256, StartupParser.MAX_LENGTH + 4);
        startupTimeout = ctx.executor().schedule(() -> refuse(ctx, "timeout", ProtocolException.PROTOCOL_VIOLATION,
                "meridian router: no startup packet within " + proxy.config().startupTimeout().toMillis() + " ms"),
                proxy.config().startupTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            if (in.writableBytes() < buf.readableBytes() && in.maxWritableBytes() < buf.readableBytes()) {
                // More than one whole startup packet of pipelined bytes: nobody legitimate does that.
                throw ProtocolException.violation("too many bytes before authentication");
            }
            in.discardReadBytes();
            in.writeBytes(buf);
        } catch (ProtocolException e) {
            fail(ctx, e);
            return;
        } finally {
            buf.release();
        }
        if (!routing) {
            process(ctx);
        }
    }

    private void process(ChannelHandlerContext ctx) {
        try {
            while (!routing && ctx.channel().isActive()) {
                int length = StartupParser.frameLength(in);
                if (length < 0 || in.readableBytes() < length) {
                    return;
                }
                StartupPacket packet = StartupParser.parse(in.readSlice(length));
                if (packet instanceof StartupPacket.SslRequest) {
                    answerSsl(ctx);
                } else if (packet instanceof StartupPacket.GssEncRequest) {
                    if (negotiatedGss || negotiatedSsl) {
                        throw ProtocolException.violation("GSSENCRequest repeated or after SSLRequest");
                    }
                    negotiatedGss = true;
                    noTrailingBytes("GSSENCRequest");
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
                } else if (packet instanceof StartupPacket.CancelRequest cancel) {
                    proxy.forwardCancel(ctx.channel(), cancel);
                    ctx.close();
                    return;
                } else {
                    startRouting(ctx, (StartupPacket.Startup) packet);
                }
            }
        } catch (ProtocolException e) {
            fail(ctx, e);
        }
    }

    private void answerSsl(ChannelHandlerContext ctx) throws ProtocolException {
        if (negotiatedSsl) {
            throw ProtocolException.violation("SSLRequest repeated");
        }
        negotiatedSsl = true;
        // Bytes after an SSLRequest but before the handshake would be trusted as if encrypted (CVE-2021-23214).
        noTrailingBytes("SSLRequest");
        SslContext context = proxy.sslContext();
        if (context == null) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
            return;
        }
        ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'S'}));
        SslHandler tls = context.newHandler(ctx.alloc());
        ctx.pipeline().addFirst("tls", tls);
    }

    private void noTrailingBytes(String what) throws ProtocolException {
        if (in.isReadable()) {
            throw ProtocolException.violation("unencrypted data after " + what);
        }
    }

    private void startRouting(ChannelHandlerContext ctx, StartupPacket.Startup startup) throws ProtocolException {
        ConnectionOptions.Extracted ex = ConnectionOptions.extract(startup);
        routing = true;
        ctx.channel().config().setAutoRead(false);
        long deadline = System.nanoTime() + proxy.config().reads().minLsnWait().toNanos();
        decide(ctx, ex, deadline);
    }

    private void decide(ChannelHandlerContext ctx, ConnectionOptions.Extracted ex, long deadline) {
        if (!ctx.channel().isActive()) {
            return;
        }
        RoutingHints hints = ex.hints();
        Decision d = port == PortKind.RW ? proxy.planner.readWrite()
                : proxy.planner.readOnly(hints, System.nanoTime() >= deadline);
        if (d instanceof Decision.Wait) {
            proxy.planner.pollSoon();
            ctx.executor().schedule(() -> decide(ctx, ex, deadline), WAIT_STEP_MILLIS, TimeUnit.MILLISECONDS);
        } else if (d instanceof Decision.Refuse r) {
            refuse(ctx, port == PortKind.RW ? "no_leader" : "no_replica", r.sqlState(), r.message());
        } else {
            Decision.Route route = (Decision.Route) d;
            LOG.debug("{} connection from {} to {} ({})", port.label(), ctx.channel().remoteAddress(), route.backend().node(), route.reason());
            connect(ctx, route.backend(), ex.startup());
        }
    }

    private void connect(ChannelHandlerContext ctx, Backend backend, StartupPacket.Startup startup) {
        Channel client = ctx.channel();
        Session session = new Session(client, port, backend);
        proxy.table.add(session);
        client.closeFuture().addListener(f -> {
            proxy.table.remove(session);
            session.close();
        });
        proxy.metrics.routed(port.label(), backend.node());
        Bootstrap b = new Bootstrap().group(client.eventLoop()).channel(proxy.transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) proxy.config().connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, ProxyServer.WATER_MARK)
                .option(ChannelOption.RCVBUF_ALLOCATOR, ProxyServer.READS)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("keys", new BackendKeyWatcher(proxy.table, session));
                        ch.pipeline().addLast("relay", new RelayHandler(client, proxy.metrics.bytesToClient(backend.node()),
                                proxy.metrics.queuedToClient(backend.node()), session.frames));
                    }
                });
        b.connect(backend.host(), backend.port()).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                proxy.table.remove(session);
                refuse(ctx, "connect_failed", ErrorPacket.CONNECTION_FAILURE, "meridian router could not connect to "
                        + backend.node() + " at " + backend.address() + ": " + f.cause().getMessage());
                return;
            }
            Channel server = f.channel();
            session.server = server;
            // Checked after registering: a leader change that ran before registration is caught
            // here, one that runs after finds the session in the table.
            if (!client.isActive() || (port == PortKind.RW && !proxy.stillLeader(backend))) {
                if (client.isActive()) {
                    refuse(ctx, "leader_changed", ErrorPacket.CANNOT_CONNECT_NOW,
                            "meridian router: " + backend.node() + " stopped leading while connecting");
                }
                server.close();
                return;
            }
            RouterConfig.ServerTls tls = proxy.config().serverTls();
            if (tls == RouterConfig.ServerTls.DISABLE) {
                relay(ctx, server, backend, startup);
                return;
            }
            ServerTlsUpgrade.start(server, tls, backend, proxy.serverSslContext(tls)).addListener(t -> {
                if (t.isSuccess()) {
                    relay(ctx, server, backend, startup);
                } else {
                    refuse(ctx, "server_tls", ErrorPacket.CONNECTION_FAILURE, "meridian router: " + t.cause().getMessage());
                    server.close();
                }
            });
        });
    }

    /** The server is connected (and encrypted if so configured): replay the startup packet and relay both ways. */
    private void relay(ChannelHandlerContext ctx, Channel server, Backend backend, StartupPacket.Startup startup) {
        Channel client = ctx.channel();
        if (!client.isActive() || !server.isActive()) {
            client.close();
            server.close();
            return;
        }
        startupTimeout.cancel(false);
        if (server.pipeline().get("tls") != null) {
            // Encrypted by us: the client cannot bind SCRAM to this TLS connection (see the filter).
            server.pipeline().addBefore("keys", "channel-binding", new ChannelBindingFilter());
        }
        server.write(StartupParser.write(server.alloc(), startup));
        if (in.isReadable()) {
            server.write(in.retainedSlice());
        }
        server.flush();
        in.release();
        in = null;
        ctx.pipeline().replace(this, "relay", new RelayHandler(server, proxy.metrics.bytesToServer(backend.node()),
                proxy.metrics.queuedToServer(backend.node()), null));
        var gauge = proxy.metrics.connections(port.label(), backend.node());
        gauge.inc();
        client.closeFuture().addListener(x -> gauge.dec());
        server.config().setAutoRead(true);
        client.config().setAutoRead(true);
    }

    private void fail(ChannelHandlerContext ctx, ProtocolException e) {
        refuse(ctx, "protocol", e.sqlState(), e.getMessage());
    }

    private void refuse(ChannelHandlerContext ctx, String reason, String sqlState, String message) {
        if (!ctx.channel().isActive()) {
            return;
        }
        proxy.metrics.refused(port.label(), reason);
        LOG.debug("{} connection from {} refused: {}", port.label(), ctx.channel().remoteAddress(), message);
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(ErrorPacket.fatal(ctx.alloc(), sqlState, message)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (startupTimeout != null) {
            startupTimeout.cancel(false);
        }
        if (in != null) {
            in.release();
            in = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // TLS handshake failures and resets end here: this connection only.
        io.meridian.core.runtime.HaltOnError.escalate(cause); // an Error ends the process, not this connection
        LOG.debug("client {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
