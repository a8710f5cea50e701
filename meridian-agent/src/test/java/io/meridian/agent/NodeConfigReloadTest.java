package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.config.NodeConfig;
import io.meridian.core.config.NodeConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which changed keys of a re-read node file apply live, which wait for a restart (SIGHUP). */
class NodeConfigReloadTest {

    private static final String BASE = """
            cluster: geo
            name: paris-1
            region: paris
            etcd: {endpoints: [http://127.0.0.1:2379]}
            postgresql:
              data_dir: /var/lib/postgresql/15/meridian
              listen: 127.0.0.1:5432
              superuser: {password: su-secret}
              replication: {password: repl-secret}
              parameters: {work_mem: 4MB}
            restapi: {listen: 127.0.0.1:8008, username: admin, password: old-secret}
            tags: {nofailover: false, failover_priority: 1}
            bootstrap: {dcs: {ttl: 30, loop_wait: 10, retry_timeout: 10}}
            """;

    private static NodeConfig node(String yaml) {
        return NodeConfigLoader.parse(Path.of("/etc/meridian/node.yml"), yaml);
    }

    @Test
    void theSameFileChangesNothing() {
        NodeConfigReload r = NodeConfigReload.plan(node(BASE), node(BASE));
        assertThat(r.unchanged()).isTrue();
        assertThat(r.summary()).isEqualTo("no change");
        assertThat(r.effective()).isEqualTo(node(BASE));
    }

    @Test
    void tagsCredentialsParametersAndPgHbaApplyLive() {
        String edited = BASE.replace("nofailover: false, failover_priority: 1", "nofailover: true, failover_priority: 5")
                .replace("password: old-secret", "password: new-secret")
                .replace("parameters: {work_mem: 4MB}", "parameters: {work_mem: 8MB}\n  pg_hba: [\"local all all peer\"]");
        NodeConfigReload r = NodeConfigReload.plan(node(BASE), node(edited));
        assertThat(r.live()).containsExactly("tags.nofailover", "tags.failover_priority", "restapi.password",
                "postgresql.parameters", "postgresql.pg_hba");
        assertThat(r.restart()).isEmpty();
        NodeConfig e = r.effective();
        assertThat(e.tags().noFailover()).isTrue();
        assertThat(e.tags().failoverPriority()).isEqualTo(5);
        assertThat(e.restapi().password()).isEqualTo("new-secret");
        assertThat(e.postgresql().parameters()).isEqualTo(Map.of("work_mem", "8MB"));
        assertThat(e.postgresql().pgHba()).isEqualTo(List.of("local all all peer"));
        // No password in the line that is logged.
        assertThat(r.summary()).contains("restapi.password").doesNotContain("new-secret").doesNotContain("old-secret");
    }

    @Test
    void identityAddressesAndEtcdNeedARestartAndStayAsTheyRun() {
        String edited = BASE.replace("region: paris", "region: newyork")
                .replace("data_dir: /var/lib/postgresql/15/meridian", "data_dir: /srv/pg")
                .replace("listen: 127.0.0.1:8008", "listen: 127.0.0.1:8009")
                .replace("endpoints: [http://127.0.0.1:2379]", "endpoints: [http://127.0.0.1:2379, http://127.0.0.1:2479]")
                .replace("password: su-secret", "password: su-other")
                .replace("failover_priority: 1", "failover_priority: 2");
        NodeConfigReload r = NodeConfigReload.plan(node(BASE), node(edited));
        assertThat(r.live()).containsExactly("tags.failover_priority");
        // connect_address defaults to listen, and the lost-transactions and fence folders sit beside data_dir.
        assertThat(r.restart()).containsExactlyInAnyOrder("region", "postgresql.data_dir", "restapi.listen",
                "restapi.connect_address", "etcd.endpoints", "postgresql.superuser", "postgresql.lost_transactions_dir", "fence");
        NodeConfig e = r.effective();
        assertThat(e.region()).isEqualTo("paris");
        assertThat(e.postgresql().dataDir()).isEqualTo(Path.of("/var/lib/postgresql/15/meridian"));
        assertThat(e.restapi().listen().port()).isEqualTo(8008);
        assertThat(e.etcd().endpoints()).hasSize(1);
        assertThat(e.postgresql().superuser().password()).isEqualTo("su-secret");
        assertThat(e.tags().failoverPriority()).isEqualTo(2);
        assertThat(r.summary()).startsWith("applied tags.failover_priority; need a restart of the agent: ")
                .doesNotContain("su-other");
    }

    @Test
    void bootstrapDcsIsReportedAsIgnored() {
        NodeConfigReload r = NodeConfigReload.plan(node(BASE), node(BASE.replace("ttl: 30", "ttl: 40")));
        assertThat(r.ignored()).containsExactly("bootstrap.dcs");
        assertThat(r.live()).isEmpty();
        assertThat(r.effective().bootstrap().ttl()).isEqualTo(30.0);
        assertThat(r.summary()).contains("meridian edit-config");
    }
}
