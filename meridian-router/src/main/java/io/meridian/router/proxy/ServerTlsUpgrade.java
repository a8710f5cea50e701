package io.meridian.router.proxy;

import io.meridian.router.config.RouterConfig;
import io.meridian.router.route.Backend;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * Turns a fresh connection to a PostgreSQL server into a TLS one before the startup packet, as
 * libpq does: an SSLRequest, then one byte, 'S' (handshake) or 'N' (plain text: fine for
 * {@code prefer}, a refusal otherwise). With {@code prefer} and {@code require} the server's
 * certificate is not verified, as libpq's {@code require} without a root certificate: that stops
 * passive listeners on the link between router and server, not an active impostor. With
 * {@code verify-ca} the certificate must chain to {@code tls.server_root_cert}; with
 * {@code verify-full} it must also name the host the router dials (the member's published host),
 * checked as HTTPS clients check theirs (subjectAltName, DNS name or IP address).
 */
final class ServerTlsUpgrade extends ChannelInboundHandlerAdapter {

    private static final int SSL_REQUEST_CODE = 80877103;

    private final RouterConfig.ServerTls mode;
    private final Backend backend;
    private final SslContext context;
    /** True once encrypted, false when {@code prefer} goes on in plain text. */
    private final Promise<Boolean> done;

    private ServerTlsUpgrade(RouterConfig.ServerTls mode, Backend backend, SslContext context, Promise<Boolean> done) {
        this.mode = mode;
        this.backend = backend;
        this.context = context;
        this.done = done;
    }

    static SslContext clientContext() throws SSLException {
        // require: encrypted, nothing checked (libpq's meaning), so no endpoint identification either.
        return SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .endpointIdentificationAlgorithm(null).build();
    }

    /** Starts the upgrade on {@code server}, which must not have sent or received anything yet. */
    static Future<Boolean> start(Channel server, RouterConfig.ServerTls mode, Backend backend, SslContext context) {
        Promise<Boolean> done = server.eventLoop().newPromise();
        server.pipeline().addFirst("tls-upgrade", new ServerTlsUpgrade(mode, backend, context, done));
        server.writeAndFlush(Unpooled.buffer(8).writeInt(8).writeInt(SSL_REQUEST_CODE));
        // The server says nothing more until it has our startup packet, so reading freely is safe.
        server.config().setAutoRead(true);
        server.closeFuture().addListener(f -> done.tryFailure(new IOException("connection closed during the TLS negotiation")));
        return done;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        int size = buf.readableBytes();
        byte answer = size > 0 ? buf.getByte(buf.readerIndex()) : 0;
        buf.release();
        ctx.pipeline().remove(this);
        if (size != 1) {
            // Bytes after 'S' before the handshake would be trusted as if encrypted (CVE-2021-23222).
            fail(ctx, "answered the SSLRequest with " + size + " bytes instead of one");
        } else if (answer == 'S') {
            SslHandler tls = context.newHandler(ctx.alloc(), backend.host(), backend.port());
            if (mode == RouterConfig.ServerTls.VERIFY_FULL) {
                SSLEngine engine = tls.engine();
                SSLParameters params = engine.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(params);
            }
            ctx.pipeline().addFirst("tls", tls);
            tls.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    done.trySuccess(true);
                } else {
                    fail(ctx, "TLS handshake failed: " + f.cause().getMessage());
                }
            });
        } else if (answer == 'N' && mode == RouterConfig.ServerTls.PREFER) {
            done.trySuccess(false);
        } else if (answer == 'N') {
            fail(ctx, "does not accept TLS and tls.server_mode is " + mode.label());
        } else {
            fail(ctx, "answered the SSLRequest with '" + (char) answer + "'");
        }
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        done.tryFailure(new IOException(backend.node() + " at " + backend.address() + " " + why));
        // The channel, not ctx: this handler may already have left the pipeline.
        ctx.channel().close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        io.meridian.core.runtime.HaltOnError.escalate(cause); // an Error ends the process, not this connection
        fail(ctx, "failed during the TLS negotiation: " + cause.getMessage());
    }
}
