package io.meridian.core.config;

import io.meridian.core.cluster.MemberTags;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One node's file: who it is, where its PostgreSQL lives, how to reach etcd and its peers.
 * Read once at start by {@link NodeConfigLoader}; never changed while the agent runs.
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
        DynamicConfig bootstrap) {

    /**
     * @param endpoints etcd client URLs, e.g. {@code http://127.0.0.1:2379}
     * @param namespace key prefix, {@code /meridian} by default
     */
    public record Etcd(List<String> endpoints, String namespace) {
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
            List<String> pgHba) {

        public Path bin(String tool) {
            return binDir.resolve(tool);
        }
    }

    /**
     * @param listen         address the REST API listens on
     * @param connectAddress address others use to reach it
     * @param username       user for mutating endpoints
     * @param password       password for mutating endpoints
     */
    public record RestApi(HostPort listen, HostPort connectAddress, String username, String password) {
        public String url() {
            return "http://" + connectAddress;
        }

        @Override
        public String toString() {
            return "RestApi[listen=" + listen + ", connectAddress=" + connectAddress + ", username=" + username + "]";
        }
    }
}
