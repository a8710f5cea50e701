package io.meridian.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeConfigLoaderTest {

    static final String GOOD = """
            cluster: geo
            name: paris-1
            region: paris
            etcd:
              endpoints: [http://127.0.0.1:2379]
            postgresql:
              data_dir: /tmp/meridian-test/paris-1
              listen: 127.0.0.1:5432
              superuser: {username: postgres, password: s3cret}
              replication: {username: replicator, password: r3pl}
            restapi:
              listen: 127.0.0.1:8008
              username: admin
              password: adm1n
            tags:
              failover_priority: 2
            bootstrap:
              dcs:
                ttl: 10
                loop_wait: 2
                retry_timeout: 4
            """;

    @Test
    void readsAGoodFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("paris-1.yml");
        Files.writeString(f, GOOD);
        NodeConfig c = NodeConfigLoader.load(f);
        assertThat(c.name()).isEqualTo("paris-1");
        assertThat(c.region()).isEqualTo("paris");
        assertThat(c.postgresql().listen()).isEqualTo(new HostPort("127.0.0.1", 5432));
        assertThat(c.postgresql().connectAddress()).isEqualTo(c.postgresql().listen());
        assertThat(c.tags().failoverPriority()).isEqualTo(2);
        assertThat(c.bootstrap().ttl()).isEqualTo(10);
        assertThat(c.etcd().namespace()).isEqualTo("/meridian");
        assertThat(c.postgresql().superuser().toString()).doesNotContain("s3cret");
        assertThat(c.restapi().toString()).doesNotContain("adm1n");
        assertThat(c.postgresql().allowShellParameters()).isEmpty();
        assertThat(c.fence()).isEqualTo(new NodeConfig.Fence(Path.of("/tmp/meridian-test/paris-1.fence"),
                NodeConfig.WatchdogMode.OFF, Path.of("/dev/watchdog")));
    }

    @Test
    void readsTheShellParametersANodeAllows(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("paris-1.yml");
        Files.writeString(f, GOOD.replace("  listen: 127.0.0.1:5432\n",
                "  listen: 127.0.0.1:5432\n  allow_shell_parameters: [archive_command, restore_command]\n"));
        assertThat(NodeConfigLoader.load(f).postgresql().allowShellParameters())
                .containsExactlyInAnyOrder("archive_command", "restore_command");
        Files.writeString(f, GOOD.replace("  listen: 127.0.0.1:5432\n",
                "  listen: 127.0.0.1:5432\n  allow_shell_parameters: [archive_command, work_mem]\n"));
        assertThatThrownBy(() -> NodeConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ": postgresql.allow_shell_parameters[1]: expected one of archive_cleanup_command, "
                        + "archive_command");
    }

    @Test
    void readsTheFenceSection(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("paris-1.yml");
        Files.writeString(f, GOOD + "fence: {dir: /run/meridian/fence, watchdog: required, watchdog_device: /dev/watchdog1}\n");
        assertThat(NodeConfigLoader.load(f).fence()).isEqualTo(new NodeConfig.Fence(Path.of("/run/meridian/fence"),
                NodeConfig.WatchdogMode.REQUIRED, Path.of("/dev/watchdog1")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing name|name: paris-1|#|name: missing",
        "bad listen|listen: 127.0.0.1:5432|listen: '5432'|postgresql.listen: expected host:port",
        "port out of range|listen: 127.0.0.1:5432|listen: 127.0.0.1:70000|postgresql.listen: expected host:port with a port from 1 to 65535",
        "relative data dir|data_dir: /tmp/meridian-test/paris-1|data_dir: data|postgresql.data_dir: expected an absolute path",
        "unknown key|region: paris|regoin: paris|regoin: unknown key",
        "timing rule|retry_timeout: 4|retry_timeout: 5|bootstrap.dcs.ttl: expected loop_wait + 2 * retry_timeout <= ttl, got 2 + 2 * 5 > 10",
        "ttl not a number|ttl: 10|ttl: ten|bootstrap.dcs.ttl: expected a number of seconds",
        "bad etcd url|endpoints: [http://127.0.0.1:2379]|endpoints: [localhost]|etcd.endpoints: expected URLs",
        "missing password|password: adm1n|#|restapi.password: missing",
        "priority not integer|failover_priority: 2|failover_priority: high|tags.failover_priority: expected a whole number",
        "bad sync mode|loop_wait: 2|synchronous_mode: always|bootstrap.dcs.synchronous_mode: expected one of off, quorum, region_quorum",
        "relative lost dir|listen: 127.0.0.1:5432|listen: 127.0.0.1:5432\\n  lost_transactions_dir: lost|postgresql.lost_transactions_dir: expected an absolute path",
        "lost dir inside data|listen: 127.0.0.1:5432|listen: 127.0.0.1:5432\\n  lost_transactions_dir: /tmp/meridian-test/paris-1/lost|postgresql.lost_transactions_dir: expected a folder outside data_dir",
        "rewind flag not boolean|listen: 127.0.0.1:5432|listen: 127.0.0.1:5432\\n  remove_data_directory_on_rewind_failure: maybe|postgresql.remove_data_directory_on_rewind_failure",
    })
    void refusesBadInputNamingFileAndKey(String name, String from, String to, String expected, @TempDir Path dir)
            throws Exception {
        Path f = dir.resolve("bad.yml");
        Files.writeString(f, GOOD.replace(from, to.replace("\\n", "\n"))); // \n in a row: a second line
        assertThatThrownBy(() -> NodeConfigLoader.load(f))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ": ")
                .hasMessageContaining(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "fence dir relative|fence: {dir: fence}|fence.dir: expected an absolute path",
        "fence dir inside data|fence: {dir: /tmp/meridian-test/paris-1/fence}|fence.dir: expected a folder outside postgresql.data_dir",
        "bad watchdog mode|fence: {watchdog: sometimes}|fence.watchdog: expected off, automatic or required, got \"sometimes\"",
        "relative device|fence: {watchdog_device: watchdog}|fence.watchdog_device: expected an absolute path",
        "unknown fence key|fence: {dri: /x}|fence.dri: unknown key",
    })
    void refusesABadFenceSection(String name, String fence, String expected, @TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yml");
        Files.writeString(f, GOOD + fence + "\n");
        assertThatThrownBy(() -> NodeConfigLoader.load(f))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ": ")
                .hasMessageContaining(expected);
    }

    @Test
    void aFailedRewindKeepsTheDataAndLostTransactionsGoBesideTheDataDirectoryByDefault(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("paris-1.yml");
        Files.writeString(f, GOOD);
        NodeConfig.Postgres pg = NodeConfigLoader.load(f).postgresql();
        assertThat(pg.removeDataDirectoryOnRewindFailure()).isFalse();
        assertThat(pg.lostTransactionsDir()).isEqualTo(Path.of("/tmp/meridian-test/paris-1.lost"));

        Files.writeString(f, GOOD.replace("listen: 127.0.0.1:5432", "listen: 127.0.0.1:5432\n"
                + "  lost_transactions_dir: /srv/lost\n  remove_data_directory_on_rewind_failure: true"));
        pg = NodeConfigLoader.load(f).postgresql();
        assertThat(pg.removeDataDirectoryOnRewindFailure()).isTrue();
        assertThat(pg.lostTransactionsDir()).isEqualTo(Path.of("/srv/lost"));
    }

    @Test
    void tlsBetweenNodesDefaultsToVerifyFullWithAnAuthorityAndRequireWithout(@TempDir Path dir) throws Exception {
        for (String pem : new String[] {"n.crt", "n.key", "root.crt"}) {
            Files.writeString(dir.resolve(pem), "-----BEGIN-----\n");
        }
        String tls = "  replication: {username: replicator, password: r3pl}\n  tls: {certificate: " + dir.resolve("n.crt")
                + ", private_key: " + dir.resolve("n.key");
        Path f = dir.resolve("paris-1.yml");
        Files.writeString(f, GOOD.replace("  replication: {username: replicator, password: r3pl}\n",
                tls + ", ca_file: " + dir.resolve("root.crt") + "}\n"));
        NodeConfig.Tls t = NodeConfigLoader.load(f).postgresql().tls();
        assertThat(t.sslmode()).isEqualTo("verify-full");
        assertThat(t.caFile()).isEqualTo(dir.resolve("root.crt"));

        Files.writeString(f, GOOD.replace("  replication: {username: replicator, password: r3pl}\n", tls + "}\n"));
        assertThat(NodeConfigLoader.load(f).postgresql().tls().sslmode()).isEqualTo("require");
        assertThat(NodeConfigLoader.load(f).postgresql().tls().caFile()).isNull();

        Files.writeString(f, GOOD.replace("  replication: {username: replicator, password: r3pl}\n", tls + ", sslmode: verify-ca}\n"));
        assertThatThrownBy(() -> NodeConfigLoader.load(f)).hasMessage(f + ": postgresql.tls.ca_file: missing (sslmode verify-ca "
                + "verifies the other nodes' certificates against it)");
        Files.writeString(f, GOOD.replace("  replication: {username: replicator, password: r3pl}\n", tls + ", sslmode: prefer}\n"));
        assertThatThrownBy(() -> NodeConfigLoader.load(f)).hasMessage(f + ": postgresql.tls.sslmode: expected require, verify-ca "
                + "or verify-full, got \"prefer\"");
        Files.writeString(f, GOOD.replace("  replication: {username: replicator, password: r3pl}\n",
                "  replication: {username: replicator, password: r3pl}\n  tls: {certificate: n.crt, private_key: n.key}\n"));
        assertThatThrownBy(() -> NodeConfigLoader.load(f)).hasMessage(f + ": postgresql.tls.certificate: expected an absolute "
                + "path to a readable PEM file, got \"n.crt\"");
        assertThat(NodeConfigLoader.parse(Path.of("x.yml"), GOOD).postgresql().tls()).isNull();
    }

    @Test
    void etcdTlsGoesWithHttpsEndpoints(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ca.crt"), "-----BEGIN-----\n");
        String https = "endpoints: [https://etcd-paris:2379]";
        NodeConfig plain = NodeConfigLoader.parse(Path.of("x.yml"), GOOD.replace("endpoints: [http://127.0.0.1:2379]", https));
        assertThat(plain.etcd().tls()).as("https alone: the JVM's trusted roots").isNotNull();
        assertThat(plain.etcd().tls().caFile()).isNull();
        NodeConfig withCa = NodeConfigLoader.parse(Path.of("x.yml"), GOOD.replace("endpoints: [http://127.0.0.1:2379]",
                https + "\n  tls: {ca_file: " + dir.resolve("ca.crt") + "}"));
        assertThat(withCa.etcd().tls().caFile()).isEqualTo(dir.resolve("ca.crt"));
        assertThatThrownBy(() -> NodeConfigLoader.parse(Path.of("x.yml"), GOOD.replace("endpoints: [http://127.0.0.1:2379]",
                "endpoints: [http://127.0.0.1:2379]\n  tls: {ca_file: " + dir.resolve("ca.crt") + "}")))
                .hasMessageStartingWith("x.yml: etcd.tls: is only used with https:// endpoints");
        assertThatThrownBy(() -> NodeConfigLoader.parse(Path.of("x.yml"), GOOD.replace("endpoints: [http://127.0.0.1:2379]",
                https + "\n  tls: {certificate: " + dir.resolve("ca.crt") + "}")))
                .hasMessage("x.yml: etcd.tls.private_key: missing (a client certificate and its key go together)");
        assertThat(NodeConfigLoader.parse(Path.of("x.yml"), GOOD).etcd().tls()).isNull();
    }

    @Test
    void refusesMissingFileAndBrokenYaml(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> NodeConfigLoader.load(dir.resolve("nope.yml")))
                .hasMessage(dir.resolve("nope.yml") + ": no such file");
        Path f = dir.resolve("broken.yml");
        Files.writeString(f, "cluster: [unclosed\n");
        assertThatThrownBy(() -> NodeConfigLoader.load(f)).hasMessageContaining("is not valid YAML");
    }

    @Test
    void aBareYamlOffTurnsSynchronousReplicationOff() {
        assertThat(DynamicConfigParser.parse("edit-config", "synchronous_mode: off").synchronousMode()).isEqualTo("off");
        assertThat(DynamicConfigParser.parse("edit-config", "synchronous_mode: region_quorum").synchronousMode())
                .isEqualTo("region_quorum");
    }

    @Test
    void catchupTimeoutDefaultsToTenSecondsAndIsBounded() {
        assertThat(DynamicConfig.DEFAULTS.catchupTimeout()).isEqualTo(10);
        assertThat(DynamicConfigParser.parse("edit-config", "catchup_timeout: 2.5").catchupTimeoutMillis()).isEqualTo(2500);
        assertThat(DynamicConfigParser.parse("edit-config", "catchup_timeout: 0").catchupTimeout()).isZero();
        assertThatThrownBy(() -> DynamicConfigParser.parse("edit-config", "catchup_timeout: 61"))
                .hasMessageContaining("catchup_timeout").hasMessageContaining("from 0.0 to 60.0");
        assertThatThrownBy(() -> DynamicConfigParser.parse("edit-config", "catchup_timeout: soon"))
                .hasMessageContaining("catchup_timeout");
    }

    @Test
    void mergesAConfigPatch() {
        DynamicConfig c = DynamicConfigParser.merge("PATCH /config", DynamicConfig.DEFAULTS,
                "{\"loop_wait\": 2, \"parameters\": {\"work_mem\": \"8MB\"}}");
        assertThat(c.loopWait()).isEqualTo(2);
        assertThat(c.parameters()).containsEntry("work_mem", "8MB");
        assertThatThrownBy(() -> DynamicConfigParser.merge("PATCH /config", DynamicConfig.DEFAULTS, "{\"ttl\": 3}"))
                .hasMessageContaining("PATCH /config: ttl: expected loop_wait + 2 * retry_timeout <= ttl");
    }
}
