package io.meridian.core.config;

/** A host and TCP port, written {@code host:port} (IPv6 as {@code [::1]:5432}). */
public record HostPort(String host, int port) {

    public static HostPort parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("null address");
        }
        String t = text.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got " + text);
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in " + text, e);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range in " + text);
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
