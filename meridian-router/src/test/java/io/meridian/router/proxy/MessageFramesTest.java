package io.meridian.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessageFramesTest {

    /** CommandComplete (14 bytes), DataRow (12) and ReadyForQuery (6) as one stream. */
    static ByteBuf stream() {
        ByteBuf b = Unpooled.buffer();
        b.writeByte('C').writeInt(4 + 9).writeBytes("SELECT 1\0".getBytes(StandardCharsets.US_ASCII));
        b.writeByte('D').writeInt(4 + 2 + 4 + 1).writeShort(1).writeInt(1).writeByte('1');
        b.writeByte('Z').writeInt(5).writeByte('I');
        return b;
    }

    @Test
    void wholeMessagesEndOnABoundary() {
        MessageFrames f = new MessageFrames();
        assertThat(f.atBoundary()).isTrue();
        f.scan(stream());
        assertThat(f.atBoundary()).isTrue();
    }

    @Test
    void everySplitIsFollowed() {
        ByteBuf all = stream();
        int total = all.readableBytes();
        for (int cut = 1; cut < total; cut++) {
            MessageFrames f = new MessageFrames();
            f.scan(all.slice(0, cut));
            assertThat(f.atBoundary()).as("after %d of %d bytes", cut, total).isEqualTo(cut == 14 || cut == 26);
            f.scan(all.slice(cut, total - cut));
            assertThat(f.atBoundary()).as("after the rest, cut at %d", cut).isTrue();
        }
    }

    @Test
    void randomChunksAlwaysEndOnABoundary() {
        Random r = new Random(7);
        for (int round = 0; round < 2000; round++) {
            ByteBuf all = Unpooled.buffer();
            int messages = 1 + r.nextInt(6);
            for (int m = 0; m < messages; m++) {
                int body = r.nextInt(300);
                all.writeByte('D').writeInt(4 + body).writeZero(body);
            }
            MessageFrames f = new MessageFrames();
            int total = all.readableBytes();
            for (int at = 0; at < total; ) {
                int n = Math.min(total - at, 1 + r.nextInt(40));
                f.scan(all.slice(at, n));
                at += n;
            }
            assertThat(f.atBoundary()).as("round %d", round).isTrue();
        }
    }

    @Test
    void aBrokenLengthIsNeverABoundaryAgain() {
        MessageFrames f = new MessageFrames();
        f.scan(Unpooled.buffer().writeByte('Z').writeInt(2));
        assertThat(f.atBoundary()).isFalse();
        f.scan(stream());
        assertThat(f.atBoundary()).isFalse();
    }
}
