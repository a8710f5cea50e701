package io.meridian.router.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StartupParserTest {

    static ByteBuf packet(StartupPacket.Startup s) {
        return StartupParser.write(ByteBufAllocator.DEFAULT, s);
    }

    static StartupPacket.Startup startup(String... pairs) {
        List<StartupPacket.Parameter> ps = new java.util.ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            ps.add(new StartupPacket.Parameter(pairs[i], pairs[i + 1]));
        }
        return new StartupPacket.Startup(196608, ps);
    }

    @Test
    void roundTripsAStartupMessageByteForByte() throws Exception {
        StartupPacket.Startup s = startup("user", "app", "database", "shop", "application_name", "caf\u00e9\u00ff");
        ByteBuf b = packet(s);
        assertThat(StartupParser.frameLength(b)).isEqualTo(b.readableBytes());
        assertThat(StartupParser.parse(b.duplicate())).isEqualTo(s);
        assertThat(ByteBufUtilEquals.same(packet((StartupPacket.Startup) StartupParser.parse(b.duplicate())), b)).isTrue();
    }

    @Test
    void recognisesSslGssAndCancel() throws Exception {
        assertThat(StartupParser.parse(Unpooled.buffer().writeInt(8).writeInt(80877103))).isInstanceOf(StartupPacket.SslRequest.class);
        assertThat(StartupParser.parse(Unpooled.buffer().writeInt(8).writeInt(80877104))).isInstanceOf(StartupPacket.GssEncRequest.class);
        assertThat(StartupParser.parse(Unpooled.buffer().writeInt(16).writeInt(80877102).writeInt(42).writeInt(-7)))
                .isEqualTo(new StartupPacket.CancelRequest(42, -7));
        assertThatThrownBy(() -> StartupParser.parse(Unpooled.buffer().writeInt(12).writeInt(80877103).writeInt(0)))
                .hasMessageContaining("SSLRequest of 12 bytes");
    }

    @Test
    void boundsTheLengthBeforeBuffering() {
        assertThatThrownBy(() -> StartupParser.frameLength(Unpooled.buffer().writeInt(10001))).hasMessageContaining("invalid length");
        assertThatThrownBy(() -> StartupParser.frameLength(Unpooled.buffer().writeInt(7))).hasMessageContaining("invalid length");
        assertThatThrownBy(() -> StartupParser.frameLength(Unpooled.buffer().writeInt(-1))).hasMessageContaining("4294967295");
    }

    @Test
    void refusesMissingTerminatorsAndTrailingBytes() {
        ByteBuf b = packet(startup("user", "app"));
        b.setByte(b.writerIndex() - 1, 'x');
        assertThatThrownBy(() -> StartupParser.parse(b)).isInstanceOf(ProtocolException.class).hasMessageContaining("NUL");
        ByteBuf extra = Unpooled.buffer().writeInt(0).writeInt(196608).writeBytes("user\0app\0\0zz".getBytes());
        extra.setInt(0, extra.readableBytes());
        assertThatThrownBy(() -> StartupParser.parse(extra)).hasMessageContaining("2 bytes after its terminator");
    }

    @Test
    void randomBytesOnlyEverRaiseProtocolExceptions() {
        Random r = new Random(7);
        byte[] valid = ByteBufUtilEquals.bytes(packet(startup("user", "app", "options", "-c meridian.max_lag=5s")));
        for (int i = 0; i < 20000; i++) {
            byte[] bytes;
            if (i % 2 == 0) {
                bytes = new byte[8 + r.nextInt(120)];
                r.nextBytes(bytes);
            } else {
                bytes = valid.clone();
                bytes[4 + r.nextInt(bytes.length - 4)] ^= (byte) (1 << r.nextInt(8));
            }
            ByteBuf b = Unpooled.wrappedBuffer(bytes);
            b.setInt(0, bytes.length);
            try {
                StartupPacket p = StartupParser.parse(b);
                if (p instanceof StartupPacket.Startup s) {
                    ConnectionOptions.extract(s);
                }
            } catch (ProtocolException expected) {
                assertThat(expected.sqlState()).matches("08P01|0A000|22023");
            }
        }
    }
}
