package io.meridian.router.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** Builds the few backend messages the router itself sends: a FATAL ErrorResponse, one byte answers. */
public final class ErrorPacket {

    /** SQLSTATE connection_failure: the chosen server could not be reached. */
    public static final String CONNECTION_FAILURE = "08006";
    /** SQLSTATE cannot_connect_now: no server may take this connection right now (fail closed). */
    public static final String CANNOT_CONNECT_NOW = "57P03";
    /** SQLSTATE admin_shutdown: the session ends because its server stopped leading. */
    public static final String ADMIN_SHUTDOWN = "57P01";

    private ErrorPacket() {
    }

    /**
     * An ErrorResponse ('E') with severity FATAL, the SQLSTATE and the message. libpq and pgjdbc
     * show the message to the user and stop; it is valid before authentication, which is the only
     * time the router speaks for itself.
     */
    public static ByteBuf fatal(ByteBufAllocator alloc, String sqlState, String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        ByteBuf out = alloc.buffer(64 + text.length);
        out.writeByte('E');
        int lengthAt = out.writerIndex();
        out.writeInt(0);
        field(out, 'S', "FATAL".getBytes(StandardCharsets.US_ASCII));
        field(out, 'V', "FATAL".getBytes(StandardCharsets.US_ASCII));
        field(out, 'C', sqlState.getBytes(StandardCharsets.US_ASCII));
        field(out, 'M', text);
        out.writeByte(0);
        out.setInt(lengthAt, out.writerIndex() - lengthAt);
        return out;
    }

    private static void field(ByteBuf out, char type, byte[] value) {
        out.writeByte(type);
        for (byte b : value) {
            // A NUL inside a field would end it early and shift every following field.
            out.writeByte(b == 0 ? '?' : b);
        }
        out.writeByte(0);
    }
}
