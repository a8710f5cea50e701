package io.meridian.router.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the untyped first packet of a connection. Bounds follow PostgreSQL's own
 * ({@code postmaster.c}): a length word from 8 to 10000 bytes including itself, a 4-byte code,
 * then for a StartupMessage NUL-terminated name/value pairs closed by one extra NUL.
 */
public final class StartupParser {

    public static final int MIN_LENGTH = 8;
    /** PostgreSQL's MAX_STARTUP_PACKET_LENGTH: larger is refused before any byte is buffered. */
    public static final int MAX_LENGTH = 10000;

    static final int SSL_REQUEST = 80877103;
    static final int GSSENC_REQUEST = 80877104;
    static final int CANCEL_REQUEST = 80877102;

    private StartupParser() {
    }

    /**
     * Length of the packet at the reader index, checked against the bounds, or -1 when fewer than
     * four bytes have arrived.
     */
    public static int frameLength(ByteBuf in) throws ProtocolException {
        if (in.readableBytes() < 4) {
            return -1;
        }
        int length = in.getInt(in.readerIndex());
        if (length < MIN_LENGTH || length > MAX_LENGTH) {
            throw ProtocolException.violation("invalid length of startup packet: " + Integer.toUnsignedString(length)
                    + " (expected " + MIN_LENGTH + " to " + MAX_LENGTH + ")");
        }
        return length;
    }

    /** Parses exactly one whole packet: {@code packet} holds the length word and {@code length - 4} more bytes. */
    public static StartupPacket parse(ByteBuf packet) throws ProtocolException {
        int start = packet.readerIndex();
        int length = packet.readableBytes();
        if (length < MIN_LENGTH || packet.getInt(start) != length) {
            throw ProtocolException.violation("startup packet length does not match its content");
        }
        int code = packet.getInt(start + 4);
        switch (code) {
            case SSL_REQUEST:
                exactLength(length, 8, "SSLRequest");
                return new StartupPacket.SslRequest();
            case GSSENC_REQUEST:
                exactLength(length, 8, "GSSENCRequest");
                return new StartupPacket.GssEncRequest();
            case CANCEL_REQUEST:
                exactLength(length, 16, "CancelRequest");
                return new StartupPacket.CancelRequest(packet.getInt(start + 8), packet.getInt(start + 12));
            default:
                break;
        }
        if (code >>> 16 != 3) {
            throw new ProtocolException("0A000", "unsupported frontend protocol " + (code >>> 16) + "." + (code & 0xFFFF)
                    + ": the router serves protocol 3.x");
        }
        return new StartupPacket.Startup(code, parameters(packet, start + 8, start + length));
    }

    private static void exactLength(int length, int expected, String what) throws ProtocolException {
        if (length != expected) {
            throw ProtocolException.violation(what + " of " + length + " bytes (expected " + expected + ")");
        }
    }

    private static List<StartupPacket.Parameter> parameters(ByteBuf buf, int from, int end) throws ProtocolException {
        List<StartupPacket.Parameter> out = new ArrayList<>();
        int at = from;
        while (true) {
            if (at >= end) {
                throw ProtocolException.violation("startup packet has no terminating NUL after its parameters");
            }
            if (buf.getByte(at) == 0) {
                if (at + 1 != end) {
                    throw ProtocolException.violation("startup packet has " + (end - at - 1) + " bytes after its terminator");
                }
                return out;
            }
            int nameEnd = nul(buf, at, end, "parameter name");
            int valueEnd = nul(buf, nameEnd + 1, end, "value of parameter \"" + text(buf, at, nameEnd) + "\"");
            out.add(new StartupPacket.Parameter(text(buf, at, nameEnd), text(buf, nameEnd + 1, valueEnd)));
            at = valueEnd + 1;
        }
    }

    private static int nul(ByteBuf buf, int from, int end, String what) throws ProtocolException {
        int i = buf.indexOf(from, end, (byte) 0);
        if (i < 0) {
            throw ProtocolException.violation("startup packet: " + what + " is not NUL-terminated");
        }
        return i;
    }

    private static String text(ByteBuf buf, int from, int to) {
        return buf.toString(from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** Writes a StartupMessage with these parameters, byte for byte as a client would. */
    public static ByteBuf write(ByteBufAllocator alloc, StartupPacket.Startup startup) {
        ByteBuf out = alloc.buffer(256);
        out.writeInt(0);
        out.writeInt(startup.protocol());
        for (StartupPacket.Parameter p : startup.parameters()) {
            out.writeCharSequence(p.name(), StandardCharsets.ISO_8859_1);
            out.writeByte(0);
            out.writeCharSequence(p.value(), StandardCharsets.ISO_8859_1);
            out.writeByte(0);
        }
        out.writeByte(0);
        out.setInt(0, out.writerIndex());
        return out;
    }

    /** Writes a CancelRequest for forwarding to the server that owns the session. */
    public static ByteBuf writeCancel(ByteBufAllocator alloc, StartupPacket.CancelRequest cancel) {
        ByteBuf out = alloc.buffer(16);
        out.writeInt(16).writeInt(CANCEL_REQUEST).writeInt(cancel.processId()).writeInt(cancel.secretKey());
        return out;
    }

    /** Writes an SSLRequest, sent to a server before TLS towards it. */
    public static ByteBuf writeSslRequest(ByteBufAllocator alloc) {
        return alloc.buffer(8).writeInt(8).writeInt(SSL_REQUEST);
    }
}
