package io.meridian.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Patroni's keys in Meridian's node file: one row per key of docs/migrating-from-patroni.md's table. */
class PatroniConfigConverterTest {

    private static PatroniConfigConverter.Result converted() throws IOException {
        try (InputStream in = PatroniConfigConverterTest.class.getResourceAsStream("/patroni/patroni.yml")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return PatroniConfigConverter.convert("patroni.yml", text, "paris", () -> "generated");
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            scope                                         | cluster                               | geo
            name                                          | name                                  | pg-paris.1
            (option --region)                             | region                                | paris
            etcd3.hosts + protocol                        | etcd.endpoints                        | [https://10.0.1.1:2379, https://10.0.2.1:2379]
            etcd3.cacert                                  | etcd.tls.ca_file                      | /etc/etcd/ca.crt
            etcd3.cert                                    | etcd.tls.certificate                  | /etc/etcd/client.crt
            etcd3.key                                     | etcd.tls.private_key                  | /etc/etcd/client.key
            postgresql.data_dir                           | postgresql.data_dir                   | /var/lib/postgresql/15/main
            postgresql.bin_dir                            | postgresql.bin_dir                    | /usr/lib/postgresql/15/bin
            postgresql.listen (first address)             | postgresql.listen                     | 10.0.1.10:5432
            postgresql.connect_address                    | postgresql.connect_address            | 10.0.1.10:5432
            postgresql.authentication.superuser.username  | postgresql.superuser.username         | postgres
            postgresql.authentication.superuser.password  | postgresql.superuser.password         | super-secret
            postgresql.authentication.replication.username| postgresql.replication.username       | replicator
            postgresql.authentication.replication.password| postgresql.replication.password       | repl-secret
            postgresql.parameters.shared_buffers          | postgresql.parameters.shared_buffers  | 1GB
            postgresql.parameters.archive_command         | postgresql.allow_shell_parameters     | [archive_command]
            postgresql.pg_hba                             | postgresql.pg_hba                     | [local all all peer, host all all 0.0.0.0/0 scram-sha-256, host replication replicator 0.0.0.0/0 scram-sha-256]
            restapi.listen                                | restapi.listen                        | 0.0.0.0:8008
            restapi.connect_address                       | restapi.connect_address               | 10.0.1.10:8008
            restapi.authentication.username               | restapi.username                      | patroni
            restapi.authentication.password               | restapi.password                      | rest-secret
            restapi.certfile                              | restapi.tls.certificate               | /etc/ssl/certs/paris.pem
            restapi.keyfile                               | restapi.tls.private_key               | /etc/ssl/private/paris.key
            restapi.cafile                                | restapi.tls.ca_file                   | /etc/ssl/certs/root.pem
            tags.nofailover                               | tags.nofailover                       | false
            tags.noloadbalance                            | tags.noloadbalance                    | true
            tags.failover_priority                        | tags.failover_priority                | 3
            bootstrap.dcs.ttl                             | bootstrap.dcs.ttl                     | 30
            bootstrap.dcs.loop_wait                       | bootstrap.dcs.loop_wait               | 10
            bootstrap.dcs.retry_timeout                   | bootstrap.dcs.retry_timeout           | 10
            bootstrap.dcs.maximum_lag_on_failover         | bootstrap.dcs.maximum_lag_on_failover | 1048576
            bootstrap.dcs.master_start_timeout            | bootstrap.dcs.primary_start_timeout   | 300
            bootstrap.dcs.synchronous_mode true           | bootstrap.dcs.synchronous_mode        | quorum
            bootstrap.dcs.synchronous_mode_strict         | bootstrap.dcs.synchronous_strict      | false
            bootstrap.dcs.synchronous_node_count          | bootstrap.dcs.synchronous_node_count  | 1
            bootstrap.dcs.failsafe_mode                   | bootstrap.dcs.failsafe_mode           | true
            bootstrap.dcs.postgresql.parameters           | bootstrap.dcs.parameters.max_connections | 200
            bootstrap.dcs.postgresql.parameters (quoted)  | bootstrap.dcs.parameters.archive_mode | on
            """)
    void carriesPatroniKeyOver(String patroniKey, String meridianKey, String expected) throws IOException {
        Object value = at(converted().node(), meridianKey);
        assertThat(String.valueOf(value)).as(patroniKey).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            namespace                                     | Meridian keeps its keys under /meridian
            log                                           | logback
            etcd3.username                                | TLS client certificates
            etcd3.password                                | TLS client certificates
            postgresql.authentication.rewind              | pg_rewind as the superuser
            postgresql.authentication.superuser.sslmode   | postgresql.tls
            postgresql.parameters.unix_socket_directories | identity and role
            postgresql.config_dir                         | data directory
            postgresql.pgpass                             | not needed
            postgresql.callbacks                          | no role-change scripts
            postgresql.listen                             | one address, 10.0.1.10
            restapi.verify_client                         | no equivalent
            tags.clonefrom                                | clones from the leader
            tags.nosync                                   | synchronous set
            bootstrap.dcs.synchronous_mode                | quorum mode
            bootstrap.dcs.postgresql.use_slots            | one slot per member
            bootstrap.dcs.postgresql.use_pg_rewind        | always rewinds
            bootstrap.dcs.postgresql.parameters.hot_standby | identity and role
            bootstrap.dcs.slots                           | physical slots
            bootstrap.initdb                              | not needed
            bootstrap.pg_hba                              | not needed
            """)
    void saysWhatItCouldNotCarry(String patroniKey, String reason) throws IOException {
        assertThat(converted().notes()).anySatisfy(n -> assertThat(n).startsWith(patroniKey + ": ").contains(reason));
    }

    @Test
    void everyNoteIsOneLineNamingAKey() throws IOException {
        assertThat(converted().notes()).allSatisfy(n -> assertThat(n).doesNotContain("\n").matches("[a-z_0-9.]+: .+"));
    }

    @Test
    void theNodeFileItWritesLoads() {
        String patroni = """
                scope: demo
                name: node-1
                restapi: {listen: 127.0.0.1:8008, connect_address: 127.0.0.1:8008}
                etcd3: {host: 127.0.0.1:2379}
                bootstrap: {dcs: {ttl: 30, loop_wait: 10, retry_timeout: 10, postgresql: {parameters: {max_connections: 100}}}}
                postgresql:
                  listen: 127.0.0.1:5432
                  data_dir: /var/lib/postgresql/15/main
                  authentication:
                    superuser: {username: postgres, password: a}
                    replication: {username: replicator, password: b}
                """;
        var r = PatroniConfigConverter.convert("patroni.yml", patroni, "main", () -> "generated");
        NodeConfig node = NodeConfigLoader.parse(Path.of("node.yml"), r.yaml());
        assertThat(node.cluster()).isEqualTo("demo");
        assertThat(node.etcd().endpoints()).containsExactly("http://127.0.0.1:2379");
        assertThat(node.restapi().password()).isEqualTo("generated");
        assertThat(node.bootstrap().ttl()).isEqualTo(30);
        assertThat(node.bootstrap().parameters()).containsEntry("max_connections", "100");
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith("restapi.authentication: "));
    }

    @Test
    void theLiveConfigurationReplacesBootstrapDcs() throws IOException {
        String patroni;
        try (InputStream in = PatroniConfigConverterTest.class.getResourceAsStream("/patroni/patroni.yml")) {
            patroni = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String showConfig = """
                loop_wait: 10
                retry_timeout: 10
                ttl: 30
                maximum_lag_on_failover: 1048576
                postgresql:
                  parameters: {max_connections: 500}
                  use_pg_rewind: true
                pause: false
                """;
        var r = PatroniConfigConverter.convert("patroni.yml", patroni, "paris", () -> "x", "show-config.yml", showConfig);
        assertThat(String.valueOf(at(r.node(), "bootstrap.dcs.parameters.max_connections"))).isEqualTo("500");
        assertThat(at(r.node(), "bootstrap.dcs.paused")).isEqualTo(false);
        assertThat(at(r.node(), "bootstrap.dcs.synchronous_mode")).isNull();
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith("show-config.postgresql.use_pg_rewind: "));
    }

    @Test
    void aMissingPasswordNamesTheKey() {
        String patroni = """
                scope: demo
                name: node-1
                restapi: {listen: 127.0.0.1:8008}
                etcd3: {host: 127.0.0.1:2379}
                postgresql: {listen: 127.0.0.1:5432, data_dir: /d, authentication: {superuser: {username: postgres}}}
                """;
        assertThatThrownBy(() -> PatroniConfigConverter.convert("patroni.yml", patroni, "main", () -> "x"))
                .hasMessageStartingWith("patroni.yml: postgresql.authentication.superuser.password: missing");
    }

    @SuppressWarnings("unchecked")
    private static Object at(Map<String, Object> tree, String dotted) {
        Object cur = tree;
        for (String part : dotted.split("\\.")) {
            cur = ((Map<String, Object>) cur).get(part);
        }
        return cur instanceof List<?> l ? "[" + String.join(", ", l.stream().map(String::valueOf).toList()) + "]" : cur;
    }
}
