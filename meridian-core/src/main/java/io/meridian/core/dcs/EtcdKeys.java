package io.meridian.core.dcs;

import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;

/**
 * The key layout of one cluster: everything lives under {@code <namespace>/<cluster>/} so a single
 * prefix range reads, watches or deletes the whole cluster at one revision.
 */
final class EtcdKeys {

    static final String LEADER = "leader";
    static final String MEMBERS = "members/";
    static final String CONFIG = "config";
    static final String STATUS = "status";
    static final String FAILOVER = "failover";
    static final String SYNC = "sync";
    static final String HISTORY = "history";
    static final String INITIALIZE = "initialize";
    /** Written by routers (see {@link io.meridian.core.cluster.RouterState}), never by agents. */
    static final String ROUTERS = "routers/";

    private final String prefix;

    EtcdKeys(String namespace, String cluster) {
        if (cluster == null || cluster.isBlank() || cluster.contains("/")) {
            throw new IllegalArgumentException("cluster name must be non-empty and without '/', got '" + cluster + "'");
        }
        String ns = namespace == null ? "" : namespace.strip();
        while (ns.endsWith("/")) {
            ns = ns.substring(0, ns.length() - 1);
        }
        if (!ns.startsWith("/")) {
            ns = "/" + ns;
        }
        this.prefix = (ns.equals("/") ? "" : ns) + "/" + cluster + "/";
    }

    /** {@code /meridian/<cluster>/}, with the trailing slash so {@code c1} never matches {@code c10}. */
    String prefix() {
        return prefix;
    }

    ByteSequence prefixBytes() {
        return bytes(prefix);
    }

    ByteSequence key(String relative) {
        return bytes(prefix + relative);
    }

    ByteSequence member(String name) {
        return key(MEMBERS + name);
    }

    /** The part of an absolute key after the cluster prefix, or null for a key outside it. */
    String relative(ByteSequence key) {
        String k = key.toString(StandardCharsets.UTF_8);
        return k.startsWith(prefix) ? k.substring(prefix.length()) : null;
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    static String text(ByteSequence bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
