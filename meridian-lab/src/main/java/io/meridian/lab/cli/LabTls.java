package io.meridian.lab.cli;

import io.meridian.core.console.CliException;
import io.meridian.lab.tls.LocalAuthority;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code lab up --tls}: a certificate authority made for the lab, and one certificate per node,
 * etcd member and router, each naming 127.0.0.1 (every lab address is loopback, WAN relays
 * included). The nodes use theirs for replication, pg_rewind, their REST APIs and etcd; etcd
 * members to serve and to talk to each other; the router for etcd, and the authority to verify
 * the servers. Node keys belong to the PostgreSQL OS user, as PostgreSQL requires.
 */
final class LabTls {

    static final String AUTHORITY = "root";
    /** The router's certificate name (its etcd client certificate). */
    static final String ROUTER = "router";
    private static final int DAYS = 30;

    private LabTls() {
    }

    /** The certificate name of a region's etcd member. */
    static String etcdMember(String region) {
        return "etcd-" + region;
    }

    static Path authority(Path tlsDir) {
        return certificate(tlsDir, AUTHORITY);
    }

    static Path certificate(Path tlsDir, String holder) {
        return LocalAuthority.certificate(tlsDir, holder);
    }

    static Path key(Path tlsDir, String holder) {
        return LocalAuthority.key(tlsDir, holder);
    }

    /**
     * Makes the authority and a certificate for each of {@code nodes} (their keys owned by
     * {@code osUser}) and for each of {@code others} (etcd members, the router: keys stay the
     * caller's) under {@code tlsDir}.
     */
    static void create(Path tlsDir, List<String> nodes, List<String> others, String osUser) {
        try {
            LocalAuthority ca = LocalAuthority.create(tlsDir, AUTHORITY, DAYS);
            for (String node : nodes) {
                ca.issue(node, "IP:127.0.0.1", osUser, DAYS);
            }
            for (String other : others) {
                ca.issue(other, "IP:127.0.0.1", null, DAYS);
            }
        } catch (IOException e) {
            throw new CliException("lab up --tls: " + e.getMessage(), e);
        }
    }
}
