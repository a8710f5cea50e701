package io.meridian.core.config;

import io.meridian.core.cluster.MemberTags;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One node's file: who it is, where its PostgreSQL lives, how to reach etcd and its peers.
 * Read at start by {@link NodeConfigLoader}, and again on the agent's SIGHUP, when only the keys
 * the agent can apply live change (meridian-agent's {@code NodeConfigReload}); the rest waits for a restart.
 *
 * <p>{@code bootstrap} ({@code bootstrap.dcs}) only seeds a new cluster: the node that initializes
 * it writes these values to {@code /config}, and from then on every agent takes {@code ttl},
 * {@code loop_wait}, {@code retry_timeout} and the rest from etcd, applied live. An agent uses its
 * file's values only until it has read {@code /config} once.
 */
public record NodeConfig(
        Path source,
        String cluster,
        String name,
        String region,
        Etcd etcd,
        Postgres postgresql,
        RestApi restapi,
        MemberTags tags,
        DynamicConfig bootstrap,
        Fence fence) {

    /** A node with the default fence ({@link Fence#defaults(Path)} beside its data directory). */
    public NodeConfig(Path source, String cluster, String name, String region, Etcd etcd, Postgres postgresql,
                      RestApi restapi, MemberTags tags, DynamicConfig bootstrap) {
        this(source, cluster, name, region, etcd, postgresql, restapi, tags, bootstrap,
                postgresql == null ? null : Fence.defaults(postgresql.dataDir()));
    }

    /**
     * Whether a Linux watchdog device backs the fence keeper ({@code fence.watchdog}). This version
     * arms no device: {@code automatic} runs with the keeper alone (logged) and {@code required}
     * refuses to run, so such a node never leads without machine-level fencing.
     */
    public enum WatchdogMode {
        /** No watchdog device: the fence keeper process alone stops PostgreSQL. */
        OFF,
        /** Use the device when it can be opened; lead without it otherwise (logged). */
        AUTOMATIC,
        /** Never take the leader key unless the device can be opened. */
        REQUIRED
    }

    /**
     * The fence outside the agent's JVM (see docs/ha-loop.md, "The fence").
     *
     * @param dir            folder of the fence keeper's FIFO, pid file and log; one keeper per data directory
     * @param watchdog       whether a Linux watchdog device backs the keeper (machine-level fencing)
     * @param watchdogDevice the device, {@code /dev/watchdog} by default
     */
    public record Fence(Path dir, WatchdogMode watchdog, Path watchdogDevice) {

        public static final Path DEFAULT_WATCHDOG_DEVICE = Path.of("/dev/watchdog");

        /** {@code <data_dir>.fence}, beside the data directory (never inside: initdb wants it empty). */
        public static Fence defaults(Path dataDir) {
            return new Fence(defaultDir(dataDir), WatchdogMode.OFF, DEFAULT_WATCHDOG_DEVICE);
        }

        public static Path defaultDir(Path dataDir) {
            return dataDir.resolveSibling(dataDir.getFileName() + ".fence");
        }
    }

    /**
     * @param endpoints etcd client URLs, e.g. {@code http://127.0.0.1:2379}
     * @param namespace key prefix, {@code /meridian} by default
     */
    /** @param tls for {@code https://} endpoints, or null */
    public record Etcd(List<String> endpoints, String namespace, io.meridian.core.dcs.EtcdTls tls) {
        public Etcd(List<String> endpoints, String namespace) {
            this(endpoints, namespace, null);
        }
    }

    /** A PostgreSQL role and its password. The password never appears in logs, {@code ps} or toString. */
    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return username + ":<hidden>";
        }
    }

    /**
     * @param binDir         folder of initdb, pg_ctl, pg_basebackup, pg_rewind
     * @param dataDir        the cluster's data directory
     * @param listen         address PostgreSQL listens on
     * @param connectAddress address others use to reach this PostgreSQL
     * @param osUser         system user PostgreSQL runs as when the agent runs as root
     * @param superuser      superuser role the agent connects as
     * @param replication    replication role standbys connect as
     * @param parameters     parameters for this node only, over the cluster-wide ones
     * @param pgHba          pg_hba.conf lines; empty means Meridian's defaults
     * @param tls            TLS between nodes (replication, pg_rewind, the agent's SQL), or null for none
     * @param allowShellParameters settings that run shell commands (archive_command, …) this node
     *                       accepts from the cluster configuration; the others it refuses to write and to apply
     * @param lostTransactionsDir where a rejoining old primary saves the WAL it committed past the
     *                       new timeline's fork before pg_rewind discards it ({@code lost_transactions_dir},
     *                       default {@code <data_dir>.lost} beside the data directory)
     * @param removeDataDirectoryOnRewindFailure re-clone when pg_rewind fails, wiping the data directory
     *                       ({@code remove_data_directory_on_rewind_failure}, Patroni's name; default false:
     *                       stop and keep it for the operator)
     */
    public record Postgres(
            Path binDir,
            Path dataDir,
            HostPort listen,
            HostPort connectAddress,
            String osUser,
            Credentials superuser,
            Credentials replication,
            Map<String, String> parameters,
            List<String> pgHba,
            Tls tls,
            Set<String> allowShellParameters,
            Path lostTransactionsDir,
            boolean removeDataDirectoryOnRewindFailure) {

        public Postgres {
            allowShellParameters = allowShellParameters == null ? Set.of() : Set.copyOf(allowShellParameters);
            if (lostTransactionsDir == null && dataDir != null) {
                Path d = dataDir.toAbsolutePath().normalize();
                lostTransactionsDir = d.resolveSibling(d.getFileName() + ".lost");
            }
        }

        /** Default lost-transactions folder, data directory kept on a failed rewind. */
        public Postgres(Path binDir, Path dataDir, HostPort listen, HostPort connectAddress, String osUser,
                        Credentials superuser, Credentials replication, Map<String, String> parameters, List<String> pgHba,
                        Tls tls, Set<String> allowShellParameters) {
            this(binDir, dataDir, listen, connectAddress, osUser, superuser, replication, parameters, pgHba, tls,
                    allowShellParameters, null, false);
        }

        /** A node that allows no shell-command settings. */
        public Postgres(Path binDir, Path dataDir, HostPort listen, HostPort connectAddress, String osUser,
                        Credentials superuser, Credentials replication, Map<String, String> parameters, List<String> pgHba,
                        Tls tls) {
            this(binDir, dataDir, listen, connectAddress, osUser, superuser, replication, parameters, pgHba, tls, Set.of());
        }

        /** A node without TLS between nodes. */
        public Postgres(Path binDir, Path dataDir, HostPort listen, HostPort connectAddress, String osUser,
                        Credentials superuser, Credentials replication, Map<String, String> parameters, List<String> pgHba) {
            this(binDir, dataDir, listen, connectAddress, osUser, superuser, replication, parameters, pgHba, null);
        }

        /** This node's own parameters and pg_hba replaced, everything else kept (a SIGHUP reload). */
        public Postgres withNodeSettings(Map<String, String> parameters, List<String> pgHba) {
            return new Postgres(binDir, dataDir, listen, connectAddress, osUser, superuser, replication, parameters, pgHba,
                    tls, allowShellParameters, lostTransactionsDir, removeDataDirectoryOnRewindFailure);
        }

        public Path bin(String tool) {
            return binDir.resolve(tool);
        }
    }

    /**
     * HTTPS for the REST API, whose callers (the other agents, the CLI, HAProxy) may sit in other
     * regions and send the API's password.
     *
     * @param certificate PEM certificate the API presents, naming {@code restapi.connect_address}'s host
     * @param privateKey  its PKCS#8 PEM key
     * @param caFile      root certificate(s) the other agents' API certificates chain to, or null for
     *                    the JVM's trusted roots
     */
    public record RestTls(Path certificate, Path privateKey, Path caFile) {
    }

    /**
     * TLS for traffic between nodes, which crosses regions: this server's certificate and key (every
     * node may become the primary others stream from), and how this node checks the servers it
     * connects to, with libpq's sslmode meanings.
     *
     * @param certificate PEM certificate PostgreSQL presents ({@code ssl_cert_file})
     * @param privateKey  its key ({@code ssl_key_file}); owned by the PostgreSQL OS user, mode 0600
     * @param caFile      root certificate(s) the other nodes' certificates chain to ({@code sslrootcert}),
     *                    or null with {@code require}
     * @param sslmode     {@code require}, {@code verify-ca} or {@code verify-full}
     */
    public record Tls(Path certificate, Path privateKey, Path caFile, String sslmode) {

        /**
         * The libpq options a connection to another node takes ({@code sslmode}, and
         * {@code sslrootcert} when there is an authority), in libpq's names, which pgjdbc shares;
         * {@code PG} + the upper-cased name is the environment variable for libpq's tools.
         */
        public java.util.Map<String, String> libpqOptions() {
            java.util.Map<String, String> o = new java.util.LinkedHashMap<>();
            o.put("sslmode", sslmode);
            if (caFile != null) {
                o.put("sslrootcert", caFile.toString());
            }
            return o;
        }
    }

    /**
     * @param listen         address the REST API listens on
     * @param connectAddress address others use to reach it
     * @param username       user for mutating endpoints
     * @param password       password for mutating endpoints
     */
    public record RestApi(HostPort listen, HostPort connectAddress, String username, String password, RestTls tls) {
        public RestApi(HostPort listen, HostPort connectAddress, String username, String password) {
            this(listen, connectAddress, username, password, null);
        }

        public String url() {
            return (tls == null ? "http://" : "https://") + connectAddress;
        }

        @Override
        public String toString() {
            return "RestApi[listen=" + listen + ", connectAddress=" + connectAddress + ", username=" + username + "]";
        }
    }
}
