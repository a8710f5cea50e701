package io.meridian.lab.wan;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection accepted by the relay and its connection to the target: two
 * {@link DelayedPipe}s, upstream (client to target) and downstream (target to client). Both
 * channels share one event loop, so every callback here runs on the same thread.
 */
final class RelayedConnection {

    private static final Logger LOG = LoggerFactory.getLogger(RelayedConnection.class);

    private final Channel client;
    private final Channel target;
    private final DelayedPipe upstream;
    private final DelayedPipe downstream;

    RelayedConnection(Channel client, Channel target, LinkShape shape) {
        this.client = client;
        this.target = target;
        this.upstream = new DelayedPipe(client, target, true, shape);
        this.downstream = new DelayedPipe(target, client, false, shape);
    }

    /** Installs the handlers and starts reading (unless a direction is cut). */
    void start() {
        client.pipeline().addLast(new Side(upstream, downstream));
        target.pipeline().addLast(new Side(downstream, upstream));
        refresh();
    }

    /** Applies a cut, heal or other shape change; safe from any thread. */
    void shapeChanged() {
        client.eventLoop().execute(this::refresh);
    }

    private void refresh() {
        upstream.refresh();
        downstream.refresh();
    }

    long forwardedBytes(boolean upstreamDirection) {
        return upstreamDirection ? upstream.forwardedBytes() : downstream.forwardedBytes();
    }

    /** Closes both ends at once (relay shutdown, not a simulated network event). */
    void closeNow() {
        client.close();
        target.close();
    }

    /** Handler on one channel: it is the source of {@code reads} and the destination of {@code writes}. */
    private static final class Side extends ChannelInboundHandlerAdapter {

        private final DelayedPipe reads;
        private final DelayedPipe writes;

        Side(DelayedPipe reads, DelayedPipe writes) {
            this.reads = reads;
            this.writes = writes;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf data) {
                reads.onRead(data);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            writes.discard();
            reads.onSourceClosed();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            writes.refresh();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("relayed connection {} failed: {}", ctx.channel(), cause.toString());
            ctx.close();
        }
    }
}
