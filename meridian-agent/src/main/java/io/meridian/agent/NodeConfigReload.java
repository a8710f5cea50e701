package io.meridian.agent;

import io.meridian.core.cluster.MemberTags;
import io.meridian.core.config.NodeConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a SIGHUP (or {@code systemctl reload}) does with a re-read node file, as Patroni does: the
 * keys an agent can apply while it runs are taken at once, and every other changed key is named as
 * needing a restart instead of being half-applied (a new {@code data_dir} or etcd prefix under a
 * running loop would be another node). Pure: {@link Agent#reloadNodeFile} applies the result.
 *
 * <p>Live: {@code tags} (the next HA cycle ranks and publishes them), the REST API's credentials
 * (checked on the next request, sent on the next failsafe ping), {@code postgresql.parameters} and
 * {@code postgresql.pg_hba} (rendered and {@code pg_ctl reload}ed). {@code bootstrap.dcs} is only
 * read when a cluster is created: a change there is reported as ignored.
 *
 * @param effective the configuration to run with: the running one with the live keys of the new file
 * @param live      changed keys applied now
 * @param restart   changed keys that take effect only after a restart of the agent
 * @param ignored   changed keys that never take effect on a running cluster
 */
public record NodeConfigReload(NodeConfig effective, List<String> live, List<String> restart, List<String> ignored) {

    public NodeConfigReload {
        live = List.copyOf(live);
        restart = List.copyOf(restart);
        ignored = List.copyOf(ignored);
    }

    /** Nothing changed in the file. */
    public boolean unchanged() {
        return live.isEmpty() && restart.isEmpty() && ignored.isEmpty();
    }

    /** One log line: what applies now and what needs a restart, by key name only (no values: passwords). */
    public String summary() {
        if (unchanged()) {
            return "no change";
        }
        List<String> parts = new ArrayList<>();
        if (!live.isEmpty()) {
            parts.add("applied " + String.join(", ", live));
        }
        if (!restart.isEmpty()) {
            parts.add("need a restart of the agent: " + String.join(", ", restart));
        }
        if (!ignored.isEmpty()) {
            parts.add("ignored (read only when the cluster is created; use meridian edit-config): " + String.join(", ", ignored));
        }
        return String.join("; ", parts);
    }

    /** Compares the running configuration with the file just read. */
    public static NodeConfigReload plan(NodeConfig running, NodeConfig read) {
        List<String> live = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        List<String> ignored = new ArrayList<>();

        MemberTags t0 = running.tags();
        MemberTags t1 = read.tags();
        diff(live, "tags.nofailover", t0.noFailover(), t1.noFailover());
        diff(live, "tags.failover_priority", t0.failoverPriority(), t1.failoverPriority());
        diff(live, "tags.noloadbalance", t0.noLoadBalance(), t1.noLoadBalance());

        NodeConfig.RestApi r0 = running.restapi();
        NodeConfig.RestApi r1 = read.restapi();
        diff(live, "restapi.username", r0.username(), r1.username());
        diff(live, "restapi.password", r0.password(), r1.password());
        diff(restart, "restapi.listen", r0.listen(), r1.listen());
        diff(restart, "restapi.connect_address", r0.connectAddress(), r1.connectAddress());
        diff(restart, "restapi.tls", r0.tls(), r1.tls());

        NodeConfig.Postgres p0 = running.postgresql();
        NodeConfig.Postgres p1 = read.postgresql();
        diff(live, "postgresql.parameters", p0.parameters(), p1.parameters());
        diff(live, "postgresql.pg_hba", p0.pgHba(), p1.pgHba());
        diff(restart, "postgresql.bin_dir", p0.binDir(), p1.binDir());
        diff(restart, "postgresql.data_dir", p0.dataDir(), p1.dataDir());
        diff(restart, "postgresql.listen", p0.listen(), p1.listen());
        diff(restart, "postgresql.connect_address", p0.connectAddress(), p1.connectAddress());
        diff(restart, "postgresql.os_user", p0.osUser(), p1.osUser());
        diff(restart, "postgresql.superuser", p0.superuser(), p1.superuser());
        diff(restart, "postgresql.replication", p0.replication(), p1.replication());
        diff(restart, "postgresql.tls", p0.tls(), p1.tls());
        diff(restart, "postgresql.allow_shell_parameters", p0.allowShellParameters(), p1.allowShellParameters());
        diff(restart, "postgresql.lost_transactions_dir", p0.lostTransactionsDir(), p1.lostTransactionsDir());
        diff(restart, "postgresql.remove_data_directory_on_rewind_failure", p0.removeDataDirectoryOnRewindFailure(),
                p1.removeDataDirectoryOnRewindFailure());

        diff(restart, "cluster", running.cluster(), read.cluster());
        diff(restart, "name", running.name(), read.name());
        diff(restart, "region", running.region(), read.region());
        diff(restart, "etcd.endpoints", running.etcd().endpoints(), read.etcd().endpoints());
        diff(restart, "etcd.namespace", running.etcd().namespace(), read.etcd().namespace());
        diff(restart, "etcd.tls", running.etcd().tls(), read.etcd().tls());
        diff(restart, "fence", running.fence(), read.fence());
        diff(ignored, "bootstrap.dcs", running.bootstrap(), read.bootstrap());

        NodeConfig effective = new NodeConfig(running.source(), running.cluster(), running.name(), running.region(),
                running.etcd(),
                p0.withNodeSettings(p1.parameters(), p1.pgHba()),
                new NodeConfig.RestApi(r0.listen(), r0.connectAddress(), r1.username(), r1.password(), r0.tls()),
                t1, running.bootstrap(), running.fence());
        return new NodeConfigReload(effective, live, restart, ignored);
    }

    private static void diff(List<String> into, String key, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            into.add(key);
        }
    }
}
