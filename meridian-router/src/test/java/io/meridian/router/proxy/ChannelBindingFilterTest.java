package io.meridian.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChannelBindingFilterTest {

    private static ByteBuf sasl(String... mechanisms) {
        ByteBuf body = Unpooled.buffer().writeInt(10);
        for (String m : mechanisms) {
            body.writeBytes(m.getBytes(StandardCharsets.US_ASCII)).writeByte(0);
        }
        body.writeByte(0);
        return Unpooled.buffer().writeByte('R').writeInt(4 + body.readableBytes()).writeBytes(body);
    }

    private static byte[] drain(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = ch.readInbound()) != null; ) {
            all.writeBytes(b);
            b.release();
        }
        return ByteBufUtil.getBytes(all);
    }

    @Test
    void plusIsRemovedFromTheFirstSaslOfferEvenSplitAcrossReadsAndWhatFollowsIsKept() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelBindingFilter());
        ByteBuf offer = sasl("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256");
        ByteBuf trailing = Unpooled.wrappedBuffer(new byte[] {'N', 0, 0, 0, 4});
        ByteBuf wire = Unpooled.wrappedBuffer(offer, trailing);
        ch.writeInbound(wire.readRetainedSlice(3));
        ch.writeInbound(wire.readRetainedSlice(wire.readableBytes()));
        wire.release();
        ByteBuf expected = Unpooled.wrappedBuffer(sasl("SCRAM-SHA-256"), Unpooled.wrappedBuffer(new byte[] {'N', 0, 0, 0, 4}));
        assertThat(drain(ch)).isEqualTo(ByteBufUtil.getBytes(expected));
        assertThat(ch.pipeline().get(ChannelBindingFilter.class)).as("gone after the first message").isNull();
        // Later messages are not looked at.
        ch.writeInbound(sasl("SCRAM-SHA-256-PLUS"));
        assertThat(drain(ch)).isEqualTo(ByteBufUtil.getBytes(sasl("SCRAM-SHA-256-PLUS")));
    }

    @Test
    void anotherFirstMessagePassesUntouched() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelBindingFilter());
        byte[] md5 = {'R', 0, 0, 0, 12, 0, 0, 0, 5, 1, 2, 3, 4};
        ch.writeInbound(Unpooled.wrappedBuffer(md5));
        assertThat(drain(ch)).isEqualTo(md5);
        assertThat(ch.pipeline().get(ChannelBindingFilter.class)).isNull();
    }
}
