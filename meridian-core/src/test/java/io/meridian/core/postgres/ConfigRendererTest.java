package io.meridian.core.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.core.config.HostPort;
import io.meridian.core.config.NodeConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigRendererTest {

    private static NodeConfig.Postgres pg(Map<String, String> params, List<String> hba) {
        return new NodeConfig.Postgres(Path.of("/usr/lib/postgresql/15/bin"), Path.of("/srv/pg/paris-1/data"),
                new HostPort("0.0.0.0", 5433), new HostPort("10.0.0.1", 5433), "postgres",
                new NodeConfig.Credentials("admin", "s3cret"), new NodeConfig.Credentials("replicator", "r'e:p"),
                params, hba);
    }

    private static final NodeFiles FILES = NodeFiles.of(Path.of("/srv/pg/paris-1/data"), "paris-1", 5433);

    @Test
    void aClusterShellCommandIsAppliedOnlyWhereTheNodeFileAllowsIt() {
        NodeConfig.Postgres plain = pg(Map.of(), List.of());
        Map<String, String> cluster = Map.of("archive_command", "cp %p /arch/%f", "restore_command", "cp /arch/%f %p");
        String refused = ConfigRenderer.meridianConf(plain, "paris-1", FILES, cluster, null, "");
        assertThat(ConfigRenderer.parse(refused)).doesNotContainKeys("archive_command", "restore_command");
        assertThat(refused).contains("# Refused (runs a shell command; not in postgresql.allow_shell_parameters): ")
                .contains("archive_command").contains("restore_command");

        NodeConfig.Postgres allowing = new NodeConfig.Postgres(plain.binDir(), plain.dataDir(), plain.listen(),
                plain.connectAddress(), plain.osUser(), plain.superuser(), plain.replication(), plain.parameters(),
                plain.pgHba(), null, java.util.Set.of("archive_command"));
        Map<String, String> p = ConfigRenderer.parse(ConfigRenderer.meridianConf(allowing, "paris-1", FILES, cluster, null, ""));
        assertThat(p).containsEntry("archive_command", "cp %p /arch/%f").doesNotContainKey("restore_command");
        // The node's own parameters are its operator's: not filtered.
        assertThat(ConfigRenderer.parse(ConfigRenderer.meridianConf(pg(Map.of("archive_command", "true"), List.of()),
                "paris-1", FILES, Map.of(), null, ""))).containsEntry("archive_command", "true");
    }

    @Test
    void primaryGetsDefaultsThenClusterThenNodeParametersAndNoStandbySettings() {
        String conf = ConfigRenderer.meridianConf(pg(Map.of("work_mem", "8MB"), List.of()), "paris-1", FILES,
                Map.of("work_mem", "4MB", "max_connections", "200", "port", "1"), null, "ANY 1 (ny_1)");
        Map<String, String> p = ConfigRenderer.parse(conf);
        assertThat(p).containsEntry("wal_level", "logical").containsEntry("hot_standby", "on")
                .containsEntry("wal_log_hints", "on").containsEntry("max_slot_wal_keep_size", "10GB")
                .containsEntry("wal_keep_size", "256MB").containsEntry("track_commit_timestamp", "on")
                .containsEntry("logging_collector", "off")
                .containsEntry("max_connections", "200")
                .containsEntry("work_mem", "8MB")                       // node wins over cluster
                .containsEntry("port", "5433")                          // managed: cluster cannot move the port
                .containsEntry("listen_addresses", "0.0.0.0")
                .containsEntry("unix_socket_directories", "/srv/pg/paris-1/paris-1.run")
                .containsEntry("synchronous_standby_names", "ANY 1 (ny_1)")
                .doesNotContainKeys("primary_conninfo", "primary_slot_name");
        assertThat(conf).contains("# Ignored (managed by Meridian): port");
    }

    @Test
    void standbyGetsConninfoWithPassfileAndSlotButNoSyncNames() {
        Map<String, String> p = ConfigRenderer.parameters(pg(Map.of(), List.of()), "paris-1", FILES, Map.of(),
                new ConfigRenderer.Upstream("10.0.0.2", 5432, "paris_1"), "ANY 1 (x)");
        assertThat(p.get("primary_conninfo"))
                .contains("host=10.0.0.2 port=5432 user=replicator passfile=/srv/pg/paris-1/paris-1.pgpass")
                .contains("application_name=paris-1").contains("connect_timeout=2").contains("keepalives=1")
                .doesNotContain("r'e:p");
        assertThat(p).containsEntry("primary_slot_name", "paris_1").containsEntry("recovery_target_timeline", "latest")
                .doesNotContainKey("synchronous_standby_names");
    }

    @Test
    void renderedFileReadsBackItsUpstreamAndQuotes() {
        var up = new ConfigRenderer.Upstream("db host's", 6000, "ny_1");
        String conf = ConfigRenderer.meridianConf(pg(Map.of("search_path", "'$user', public"), List.of()), "ny-1",
                FILES, Map.of(), up, "");
        Map<String, String> back = ConfigRenderer.parse(conf);
        assertThat(back).containsEntry("search_path", "'$user', public");
        assertThat(ConfigRenderer.upstreamOf(back)).isEqualTo(up);
    }

    @Test
    void catchingUpFromAStandbyUsesATemporarySlotAndReadsBackWithoutOne() {
        var up = new ConfigRenderer.Upstream("10.0.0.3", 5434, null);
        String conf = ConfigRenderer.meridianConf(pg(Map.of(), List.of()), "paris-2", FILES, Map.of(), up, "");
        Map<String, String> p = ConfigRenderer.parse(conf);
        assertThat(p.get("primary_conninfo")).contains("host=10.0.0.3 port=5434");
        assertThat(p).containsEntry("primary_slot_name", "").containsEntry("wal_receiver_create_temp_slot", "on");
        assertThat(ConfigRenderer.upstreamOf(p)).isEqualTo(up);
        Map<String, String> following = ConfigRenderer.parameters(pg(Map.of(), List.of()), "paris-2", FILES, Map.of(),
                new ConfigRenderer.Upstream("10.0.0.2", 5432, "paris_2"), "");
        assertThat(following).doesNotContainKey("wal_receiver_create_temp_slot");
    }

    @Test
    void rejectsMultiLineValuesAndBadNames() {
        assertThatThrownBy(() -> ConfigRenderer.meridianConf(pg(Map.of("work_mem", "1MB\nport = 1"), List.of()),
                "n", FILES, Map.of(), null, "")).hasMessageContaining("work_mem");
        assertThatThrownBy(() -> ConfigRenderer.meridianConf(pg(Map.of("bad name", "1"), List.of()),
                "n", FILES, Map.of(), null, "")).hasMessageContaining("bad name");
    }

    @Test
    void hbaDefaultsAllowReplicationOnlyForTheReplicationRole() {
        String hba = ConfigRenderer.hba(pg(Map.of(), List.of()));
        assertThat(hba).contains("local   all          all                     peer")
                .contains("host    all          all          127.0.0.1/32   scram-sha-256")
                .containsPattern("host\\s+replication\\s+replicator\\s+0\\.0\\.0\\.0/0\\s+scram-sha-256")
                .containsPattern("host\\s+replication\\s+replicator\\s+::/0\\s+scram-sha-256")
                .containsPattern("host\\s+all\\s+all\\s+0\\.0\\.0\\.0/0\\s+scram-sha-256")
                .doesNotContain("trust");
    }

    @Test
    void configuredHbaLinesReplaceTheDefaults() {
        String hba = ConfigRenderer.hba(pg(Map.of(), List.of("hostssl all all 10.0.0.0/8 scram-sha-256")));
        assertThat(hba.lines().filter(l -> !l.startsWith("#")).toList())
                .containsExactly("hostssl all all 10.0.0.0/8 scram-sha-256");
    }

    @Test
    void socketFolderFallsBackWhenTheDataDirectoryIsTooDeep() {
        Path deep = Path.of("/srv/" + "x".repeat(120) + "/data");
        NodeFiles f = NodeFiles.of(deep, "paris-1", 5432);
        assertThat(NodeFiles.socketPathLength(f.socketDir(), 5432)).isLessThanOrEqualTo(NodeFiles.MAX_SOCKET_PATH);
        assertThat(f.log()).isEqualTo(deep.getParent().resolve("paris-1.log"));
    }

    @Test
    void passfileEscapesSeparators() {
        assertThat(PassFile.escape("a:b\\c")).isEqualTo("a\\:b\\\\c");
    }

    @Test
    void tlsBetweenNodesTurnsSslOnEncryptsTheWalReceiverAndRefusesPlainRemoteLogins() {
        NodeConfig.Postgres plain = pg(Map.of(), List.of());
        NodeConfig.Postgres tls = new NodeConfig.Postgres(plain.binDir(), plain.dataDir(), plain.listen(), plain.connectAddress(),
                plain.osUser(), plain.superuser(), plain.replication(), Map.of("ssl", "off"), List.of(),
                new NodeConfig.Tls(Path.of("/etc/meridian/paris-1.crt"), Path.of("/etc/meridian/paris-1.key"),
                        Path.of("/etc/meridian/root.crt"), "verify-full"));
        Map<String, String> p = ConfigRenderer.parse(ConfigRenderer.meridianConf(tls, "paris-1", FILES, Map.of(),
                new ConfigRenderer.Upstream("10.0.0.2", 5432, "paris_1"), null));
        assertThat(p).containsEntry("ssl", "on").containsEntry("ssl_cert_file", "/etc/meridian/paris-1.crt")
                .containsEntry("ssl_key_file", "/etc/meridian/paris-1.key");
        assertThat(p.get("primary_conninfo")).endsWith(" sslmode=verify-full sslrootcert=/etc/meridian/root.crt");
        String hba = ConfigRenderer.hba(tls);
        assertThat(hba).contains("host    all          all          127.0.0.1/32   scram-sha-256")
                .contains("hostssl replication  replicator  0.0.0.0/0      scram-sha-256")
                .contains("hostssl all          all          0.0.0.0/0      scram-sha-256")
                .doesNotContain("host    replication").doesNotContain("host    all          all          0.0.0.0/0");
        assertThat(ConfigRenderer.parse(ConfigRenderer.meridianConf(plain, "paris-1", FILES, Map.of(),
                new ConfigRenderer.Upstream("10.0.0.2", 5432, "paris_1"), null)).get("primary_conninfo")).doesNotContain("ssl");
    }
}
