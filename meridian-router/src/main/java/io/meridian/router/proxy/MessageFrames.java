package io.meridian.router.proxy;

import io.netty.buffer.ByteBuf;

/**
 * Follows message boundaries in a server's byte stream as it is relayed, reading only the length
 * of each message (a few operations per message, no copy), so the router knows when it may put a
 * message of its own into the client's stream: a leader change ends a read-write session with an
 * ErrorResponse only when that cannot land inside a half-relayed message.
 *
 * <p>Confined to the session's event loop.
 */
final class MessageFrames {

    /** Body bytes of the current message still to come. */
    private long remaining;
    /** Header bytes (type + 4 length bytes) seen of a header split across reads. */
    private int headerFill;
    private int partialLength;
    /** A length below 4: the stream cannot be followed any more, so never claim a boundary. */
    private boolean lost;

    void scan(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end && !lost) {
            if (remaining > 0) {
                int n = (int) Math.min(remaining, end - i);
                i += n;
                remaining -= n;
            } else if (headerFill == 0 && end - i >= 5) {
                startBody(buf.getInt(i + 1));
                i += 5;
            } else {
                byte b = buf.getByte(i++);
                if (headerFill > 0) {
                    partialLength = (partialLength << 8) | (b & 0xFF);
                }
                if (++headerFill == 5) {
                    headerFill = 0;
                    startBody(partialLength);
                    partialLength = 0;
                }
            }
        }
    }

    private void startBody(int length) {
        long l = length & 0xFFFFFFFFL;
        if (l < 4) {
            lost = true;
            return;
        }
        remaining = l - 4;
    }

    /** True between two messages (and before the first). */
    boolean atBoundary() {
        return !lost && remaining == 0 && headerFill == 0;
    }
}
