package io.meridian.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * On a server connection the router encrypted itself, removes {@code SCRAM-SHA-256-PLUS} from the
 * server's first message when it is an AuthenticationSASL, then leaves the pipeline.
 *
 * <p>Channel binding ties SCRAM to the TLS connection it runs over, and the client's connection
 * ends at the router, not at the server. Offered PLUS, libpq refuses outright on a plain-text
 * client connection ("server offered SCRAM-SHA-256-PLUS authentication over a non-SSL
 * connection"), and over a TLS one it binds to the router's certificate, which the server then
 * rejects. Without PLUS, clients use SCRAM-SHA-256, whose password proof still never crosses the
 * wire; a client that insists on channel binding ({@code channel_binding=require}) is refused by
 * its own driver, as behind any TLS-terminating proxy. Bytes are passed on untouched otherwise.
 */
final class ChannelBindingFilter extends ChannelInboundHandlerAdapter {

    static final String PLUS = "SCRAM-SHA-256-PLUS";
    private static final int AUTHENTICATION_SASL = 10;
    /** An authentication request is a few dozen bytes; past this, pass on and stop looking. */
    private static final int MAX_FIRST_MESSAGE = 8192;

    private ByteBuf pending;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (pending == null) {
            pending = buf;
        } else {
            ByteBuf both = ctx.alloc().buffer(pending.readableBytes() + buf.readableBytes());
            both.writeBytes(pending).writeBytes(buf);
            pending.release();
            buf.release();
            pending = both;
        }
        if (pending.readableBytes() < 5) {
            return;
        }
        int length = pending.getInt(pending.readerIndex() + 1);
        if (length < 4 || length > MAX_FIRST_MESSAGE) {
            done(ctx, pending);
            return;
        }
        if (pending.readableBytes() < 1 + length) {
            return;
        }
        ByteBuf all = pending;
        pending = null;
        if (all.getByte(all.readerIndex()) == 'R' && length >= 8 && all.getInt(all.readerIndex() + 5) == AUTHENTICATION_SASL) {
            ByteBuf rewritten = withoutPlus(ctx, all.slice(all.readerIndex() + 9, length - 8));
            ByteBuf rest = all.retainedSlice(all.readerIndex() + 1 + length, all.readableBytes() - 1 - length);
            all.release();
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(rewritten);
            if (rest.isReadable()) {
                ctx.fireChannelRead(rest);
            } else {
                rest.release();
            }
            return;
        }
        done(ctx, all);
    }

    /** An AuthenticationSASL message with every mechanism in {@code names} but {@link #PLUS}. */
    private static ByteBuf withoutPlus(ChannelHandlerContext ctx, ByteBuf names) {
        List<byte[]> kept = new ArrayList<>();
        int i = names.readerIndex();
        int end = names.writerIndex();
        while (i < end) {
            int nul = names.indexOf(i, end, (byte) 0);
            if (nul < 0 || nul == i) {
                break;
            }
            byte[] name = new byte[nul - i];
            names.getBytes(i, name);
            if (!PLUS.equals(new String(name, StandardCharsets.US_ASCII))) {
                kept.add(name);
            }
            i = nul + 1;
        }
        int body = 4 + kept.stream().mapToInt(n -> n.length + 1).sum() + 1;
        ByteBuf out = ctx.alloc().buffer(1 + 4 + body);
        out.writeByte('R').writeInt(4 + body).writeInt(AUTHENTICATION_SASL);
        kept.forEach(n -> out.writeBytes(n).writeByte(0));
        return out.writeByte(0);
    }

    private void done(ChannelHandlerContext ctx, ByteBuf buf) {
        pending = null;
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(buf);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
