package io.meridian.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Reads the server's messages during authentication, without changing a byte, to learn the
 * BackendKeyData ('K') that a later CancelRequest will quote; at the first ReadyForQuery ('Z') it
 * leaves the pipeline, so relaying after login costs nothing extra.
 */
final class BackendKeyWatcher extends ChannelInboundHandlerAdapter {

    private final SessionTable table;
    private final Session session;
    /** Header (type + length) and, for 'K', the 8-byte body, gathered across reads. */
    private final byte[] head = new byte[13];
    private int headFill;
    private long skip;

    BackendKeyWatcher(SessionTable table, Session session) {
        this.table = table;
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            boolean done = scan(buf);
            ctx.fireChannelRead(msg);
            if (done && ctx.pipeline().context(this) != null) {
                ctx.pipeline().remove(this);
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /** Returns true once ReadyForQuery has been seen. */
    private boolean scan(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            if (skip > 0) {
                int n = (int) Math.min(skip, end - i);
                i += n;
                skip -= n;
                continue;
            }
            head[headFill++] = buf.getByte(i++);
            if (headFill < 5) {
                continue;
            }
            byte type = head[0];
            int length = ((head[1] & 0xFF) << 24) | ((head[2] & 0xFF) << 16) | ((head[3] & 0xFF) << 8) | (head[4] & 0xFF);
            if (type == 'K' && length == 12) {
                if (headFill < 13) {
                    continue;
                }
                table.cancelKey(session, Session.cancelKey(intAt(5), intAt(9)));
                headFill = 0;
                continue;
            }
            headFill = 0;
            if (type == 'Z') {
                return true;
            }
            // The client checks the framing; a broken length only makes us stop looking for 'K'.
            skip = Math.max(0, (length & 0xFFFFFFFFL) - 4);
        }
        return false;
    }

    private int intAt(int at) {
        return ((head[at] & 0xFF) << 24) | ((head[at + 1] & 0xFF) << 16) | ((head[at + 2] & 0xFF) << 8) | (head[at + 3] & 0xFF);
    }
}
