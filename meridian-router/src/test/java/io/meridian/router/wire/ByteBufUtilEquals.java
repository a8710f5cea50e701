package io.meridian.router.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

final class ByteBufUtilEquals {

    private ByteBufUtilEquals() {
    }

    static boolean same(ByteBuf a, ByteBuf b) {
        return ByteBufUtil.equals(a, b);
    }

    static byte[] bytes(ByteBuf b) {
        return ByteBufUtil.getBytes(b);
    }
}
