package io.meridian.router.proxy;

import io.meridian.router.route.Backend;
import io.netty.channel.Channel;

/** One client connection relayed to one server. */
final class Session {

    final Channel client;
    final PortKind port;
    final Backend backend;
    volatile Channel server;
    /** Cancel key the server sent (BackendKeyData), or null before it arrives. */
    volatile Long cancelKey;

    Session(Channel client, PortKind port, Backend backend) {
        this.client = client;
        this.port = port;
        this.backend = backend;
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
