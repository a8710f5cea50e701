package io.meridian.router.config;

import io.meridian.core.config.HostPort;
import io.meridian.router.route.LagBound;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A router's settings, as read from its YAML file by {@link RouterConfigLoader}. Immutable; the
 * lab may also build one directly.
 *
 * @param source    file the settings came from (for messages), or a label
 * @param cluster   cluster name in etcd
 * @param name      this router's name (metrics and status)
 * @param region    region the router runs in; reads prefer replicas there
 * @param etcd      where the cluster state lives
 * @param rwListen  read-write port: always the current leader
 * @param roListen  read-only port: a replica chosen by region, lag and load
 * @param httpListen health, status and metrics, or null for none
 * @param reads     replica choice for the read-only port
 * @param monitor   how the router measures every node itself
 * @param leaderStaleAfter how long the router trusts its view of the cluster without hearing from
 *                  etcd; after that it refuses new read-write connections
 * @param connectTimeout bound on connecting to a PostgreSQL server for a client
 * @param startupTimeout bound on a client sending its startup packet (slow senders are cut off)
 * @param tls       client-side TLS, or null to answer 'N' to SSLRequest
 * @param serverTls whether the router encrypts its own connections to the PostgreSQL servers, and
 *                  whether it verifies their certificates
 * @param serverRootCert root certificate(s), PEM, that the servers' certificates must chain to
 *                  ({@code verify-ca}, {@code verify-full}); null otherwise
 * @param serverCrl certificate revocation lists, PEM, that the servers' certificates are checked
 *                  against when verified (libpq's {@code sslcrl}); null for none
 */
public record RouterConfig(
        String source,
        String cluster,
        String name,
        String region,
        Etcd etcd,
        HostPort rwListen,
        HostPort roListen,
        HostPort httpListen,
        Reads reads,
        Monitor monitor,
        Duration leaderStaleAfter,
        Duration connectTimeout,
        Duration startupTimeout,
        Tls tls,
        ServerTls serverTls,
        Path serverRootCert,
        Path serverCrl) {

    public RouterConfig {
        serverTls = serverTls == null ? ServerTls.DISABLE : serverTls;
        if (serverTls.verifies() && serverRootCert == null) {
            throw new IllegalArgumentException("tls.server_mode " + serverTls.label() + " needs tls.server_root_cert");
        }
        if (serverCrl != null && !serverTls.verifies()) {
            throw new IllegalArgumentException("tls.server_crl needs tls.server_mode verify-ca or verify-full");
        }
    }

    /** The settings without revocation lists. */
    public RouterConfig(String source, String cluster, String name, String region, Etcd etcd, HostPort rwListen,
                        HostPort roListen, HostPort httpListen, Reads reads, Monitor monitor, Duration leaderStaleAfter,
                        Duration connectTimeout, Duration startupTimeout, Tls tls, ServerTls serverTls, Path serverRootCert) {
        this(source, cluster, name, region, etcd, rwListen, roListen, httpListen, reads, monitor, leaderStaleAfter,
                connectTimeout, startupTimeout, tls, serverTls, serverRootCert, null);
    }

    /** The settings without a server root certificate (no verification of the servers). */
    public RouterConfig(String source, String cluster, String name, String region, Etcd etcd, HostPort rwListen,
                        HostPort roListen, HostPort httpListen, Reads reads, Monitor monitor, Duration leaderStaleAfter,
                        Duration connectTimeout, Duration startupTimeout, Tls tls, ServerTls serverTls) {
        this(source, cluster, name, region, etcd, rwListen, roListen, httpListen, reads, monitor, leaderStaleAfter,
                connectTimeout, startupTimeout, tls, serverTls, null, null);
    }

    /** The settings without server-side TLS (the shape before {@code tls.server_mode} existed). */
    public RouterConfig(String source, String cluster, String name, String region, Etcd etcd, HostPort rwListen,
                        HostPort roListen, HostPort httpListen, Reads reads, Monitor monitor, Duration leaderStaleAfter,
                        Duration connectTimeout, Duration startupTimeout, Tls tls) {
        this(source, cluster, name, region, etcd, rwListen, roListen, httpListen, reads, monitor, leaderStaleAfter,
                connectTimeout, startupTimeout, tls, ServerTls.DISABLE, null, null);
    }

    /**
     * TLS from the router to the servers, with libpq's sslmode meanings: {@code prefer} encrypts
     * when the server offers it, {@code require} refuses the client when the server does not, both
     * without verifying the server's certificate; {@code verify-ca} also requires a certificate
     * that chains to {@code tls.server_root_cert}, and {@code verify-full} one that also names the
     * host the router dials (subjectAltName, as the member publishes it).
     */
    public enum ServerTls {
        DISABLE, PREFER, REQUIRE, VERIFY_CA, VERIFY_FULL;

        /** The setting's spelling in router.yml. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        public boolean verifies() {
            return this == VERIFY_CA || this == VERIFY_FULL;
        }
    }

    /** @param tls for {@code https://} endpoints, or null */
    public record Etcd(List<String> endpoints, String namespace, io.meridian.core.dcs.EtcdTls tls) {
        public Etcd {
            endpoints = List.copyOf(endpoints);
        }

        public Etcd(List<String> endpoints, String namespace) {
            this(endpoints, namespace, null);
        }
    }

    /** What the read-only port does when no replica qualifies. */
    public enum Fallback { LEADER, REFUSE }

    /**
     * @param maxLag     default lag bound (per-connection {@code meridian.max_lag} replaces it)
     * @param fallback   when no replica qualifies
     * @param minLsnWait how long a {@code meridian.min_lsn} read waits for a replica to replay that
     *                   position before it goes to the leader
     */
    public record Reads(LagBound maxLag, Fallback fallback, Duration minLsnWait) {
    }

    /**
     * A monitoring login on every node (superuser or pg_monitor), used only by the router's own
     * lag probes. The password is held here and in JDBC Properties, never logged.
     *
     * @param interval time between two probes of one node
     * @param timeout  bound on connecting and on each probe query
     */
    public record Monitor(String username, String password, String database, Duration interval, Duration timeout) {
        @Override
        public String toString() {
            return "Monitor[username=" + username + ", database=" + database + ", interval=" + interval
                    + ", timeout=" + timeout + "]";
        }
    }

    public record Tls(Path certificate, Path privateKey) {
    }
}
