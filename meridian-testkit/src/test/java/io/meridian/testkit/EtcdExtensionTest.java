package io.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.core.dcs.EtcdDcs;
import io.meridian.lab.process.EtcdServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EtcdExtensionTest {

    @RegisterExtension
    static EtcdExtension etcd = new EtcdExtension();

    @Test
    void singleMemberServesTheDcs() throws Exception {
        assertThat(Files.isDirectory(etcd.member(0).dataDir())).isTrue();
        try (EtcdDcs dcs = EtcdDcs.connect(etcd.endpoints(), "/meridian", "kit", "a", 6, 5)) {
            assertThat(dcs.acquireLeader("a")).isTrue();
            assertThat(dcs.load().isLeader("a")).isTrue();
        }
    }

    @Test
    void folderIsRemovedAfterwards() throws Exception {
        EtcdExtension own = new EtcdExtension();
        own.beforeAll(null);
        Path dir = own.dir();
        assertThat(dir).startsWith(Path.of("/tmp"));
        assertThat(own.member(0).pid()).isPositive();
        EtcdServer member = own.member(0);
        own.afterAll(null);
        assertThat(member.isAlive()).isFalse();
        assertThat(dir).doesNotExist();
    }

    @Nested
    class ThreeMembers {

        @RegisterExtension
        final EtcdExtension cluster = EtcdExtension.cluster(3);

        @Test
        void dcsKeepsWorkingWhenOneMemberIsKilled() throws Exception {
            assertThat(cluster.endpoints()).hasSize(3);
            try (EtcdDcs dcs = EtcdDcs.connect(cluster.endpoints(), "/meridian", "kit3", "a", 6, 5)) {
                assertThat(dcs.acquireLeader("a")).isTrue();
                cluster.member(0).kill();
                assertThat(cluster.member(0).pid()).isEqualTo(-1);
                // Two of three members still form a quorum; allow for an etcd re-election.
                await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> dcs.renewLeader("a"));

                cluster.member(0).start();
                assertThat(cluster.member(0).pid()).isPositive();
            }
        }
    }
}
