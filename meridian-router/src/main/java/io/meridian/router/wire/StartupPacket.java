package io.meridian.router.wire;

import java.util.List;

/** The first packet a client sends, before any message has a type byte. */
public sealed interface StartupPacket {

    /** SSLRequest: the client asks whether the router speaks TLS. */
    record SslRequest() implements StartupPacket {
    }

    /** GSSENCRequest: the client asks for GSSAPI encryption, which the router always declines. */
    record GssEncRequest() implements StartupPacket {
    }

    /** CancelRequest: key data of the session whose running query should be cancelled. */
    record CancelRequest(int processId, int secretKey) implements StartupPacket {
    }

    /**
     * StartupMessage of protocol 3.x.
     *
     * @param protocol   major in the high 16 bits, minor in the low 16 (passed on as received)
     * @param parameters name and value pairs in the order received, each decoded as ISO-8859-1 so that
     *                   any byte survives being written back unchanged
     */
    record Startup(int protocol, List<Parameter> parameters) implements StartupPacket {

        public Startup {
            parameters = List.copyOf(parameters);
        }

        public String get(String name) {
            String found = null;
            for (Parameter p : parameters) {
                if (p.name().equals(name)) {
                    found = p.value(); // PostgreSQL keeps the last of duplicate names
                }
            }
            return found;
        }
    }

    record Parameter(String name, String value) {
    }
}
