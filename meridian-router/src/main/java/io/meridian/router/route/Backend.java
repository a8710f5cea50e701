package io.meridian.router.route;

/** A PostgreSQL server a client connection is relayed to. */
public record Backend(String node, String host, int port, boolean leader) {

    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
