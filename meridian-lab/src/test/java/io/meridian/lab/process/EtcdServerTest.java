package io.meridian.lab.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meridian.core.config.DynamicConfig;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.dcs.EtcdDcs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtcdServerTest {

    @TempDir
    Path dir;

    @Test
    void restartKeepsDataAndKillLeavesNoProcess() throws Exception {
        EtcdServer etcd = EtcdServer.single("solo", dir.resolve("solo")).killOnJvmExit();
        try {
            etcd.start();
            assertThat(etcd.pid()).isPositive();
            assertThat(Files.size(etcd.logFile())).isPositive();
            try (EtcdDcs dcs = EtcdDcs.connect(List.of(etcd.clientUrl()), "/m", "keep", null, 6, 10)) {
                assertThat(dcs.setConfig(DynamicConfig.DEFAULTS, 0)).isTrue();
            }

            etcd.stop();
            assertThat(etcd.isAlive()).isFalse();
            etcd.start();
            try (EtcdDcs dcs = EtcdDcs.connect(List.of(etcd.clientUrl()), "/m", "keep", null, 6, 10)) {
                assertThat(dcs.load().configVersion()).isPositive();
            }

            etcd.kill();
            assertThat(etcd.pid()).isEqualTo(-1);
        } finally {
            etcd.stop();
        }
    }

    @Test
    void suspendedEtcdMakesCallsTimeOutAndResumeRecovers() throws Exception {
        EtcdServer etcd = EtcdServer.single("hang", dir.resolve("hang")).killOnJvmExit();
        try (EtcdDcs dcs = EtcdDcs.connect(List.of(etcd.clientUrl()), "/m", "hang", null, 6, 1)) {
            etcd.start();
            // First call of the client (class loading) may be slow on a busy machine: retry it.
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> dcs.load() != null);
            etcd.suspend();
            assertThatThrownBy(dcs::load).isInstanceOf(DcsException.class).hasMessageContaining("within 1000 ms");
            etcd.resume();
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> dcs.load() != null);
        } finally {
            etcd.stop();
        }
    }

    @Test
    void startFailureNamesTheLog() throws Exception {
        EtcdServer broken = EtcdServer.single("broken", dir.resolve("broken")).binary(Path.of("/bin/false"));
        assertThatThrownBy(broken::start).hasMessageContaining("etcd.log").hasMessageContaining("broken");
    }
}
