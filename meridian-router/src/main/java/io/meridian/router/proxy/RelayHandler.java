package io.meridian.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;

/**
 * Relays bytes from one channel to its peer as they are: the same buffer is handed on (no copy),
 * writes are flushed once per read batch, and reading stops while the peer cannot take more
 * (autoRead backpressure), so a slow client never makes the router buffer a fast server's output.
 * Both channels share one event loop, so no hand-off between threads happens per message.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {

    private final Channel peer;
    private final CounterDataPoint bytes;
    /** Message boundaries of what this relay passes on, or null when nobody needs them. */
    private final MessageFrames frames;
    private long pending;

    RelayHandler(Channel peer, CounterDataPoint bytes, MessageFrames frames) {
        this.peer = peer;
        this.bytes = bytes;
        this.frames = frames;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            pending += buf.readableBytes();
            if (frames != null) {
                frames.scan(buf);
            }
        }
        peer.write(msg, peer.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
        if (pending > 0) {
            bytes.inc(pending);
            pending = 0;
        }
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Our outbound buffer drained: let the peer, which fills it, read again.
        if (ctx.channel().isWritable()) {
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeAfterFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    static void closeAfterFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }
}
