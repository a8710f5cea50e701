package io.meridian.router.proxy;

import io.meridian.router.route.Backend;
import io.meridian.router.wire.ErrorPacket;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;

/** One client connection relayed to one server. */
final class Session {

    final Channel client;
    final PortKind port;
    final Backend backend;
    volatile Channel server;
    /** Cancel key the server sent (BackendKeyData), or null before it arrives. */
    volatile Long cancelKey;
    /** Where the server's messages to the client begin and end; read-write sessions only. */
    final MessageFrames frames;

    Session(Channel client, PortKind port, Backend backend) {
        this.client = client;
        this.port = port;
        this.backend = backend;
        this.frames = port == PortKind.RW ? new MessageFrames() : null;
    }

    /**
     * Ends a session whose server stopped leading: stops relaying the server at once, then tells the
     * client why with a FATAL ErrorResponse (SQLSTATE 57P01, what PostgreSQL sends when it shuts a
     * session down; pools evict on it) unless the server was in the middle of a message, where an
     * extra message would garble the stream; then the client only sees the connection close.
     * Runs on the session's event loop, which is also the relay's, so no byte moves meanwhile.
     */
    void closeForLeaderChange(String message) {
        client.eventLoop().execute(() -> {
            Channel s = server;
            if (s != null) {
                s.close();
            }
            if (client.isActive() && frames != null && frames.atBoundary()) {
                client.writeAndFlush(ErrorPacket.fatal(client.alloc(), ErrorPacket.ADMIN_SHUTDOWN, message))
                        .addListener(ChannelFutureListener.CLOSE);
            } else {
                client.close();
            }
        });
    }

    /** Closes both sides; safe to call more than once and from any thread. */
    void close() {
        client.close();
        Channel s = server;
        if (s != null) {
            s.close();
        }
    }

    static long cancelKey(int processId, int secret) {
        return ((long) processId << 32) | (secret & 0xFFFFFFFFL);
    }
}
