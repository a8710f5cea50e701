package io.meridian.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.config.NodeConfig;
import io.meridian.core.config.NodeConfigLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The release's {@code etc/node.yml.sample} loads as it ships, so an operator starts from a valid file. */
class SampleNodeFileTest {

    @Test
    void theSampleNodeFileLoads() {
        NodeConfig node = NodeConfigLoader.load(Path.of("src/dist/etc/node.yml.sample"));
        assertThat(node.cluster()).isEqualTo("main");
        assertThat(node.name()).isEqualTo("node-1");
        assertThat(node.restapi().listen().port()).isEqualTo(8008);
        assertThat(node.postgresql().listen().port()).isEqualTo(5432);
        assertThat(node.bootstrap().ttl()).isEqualTo(30.0);
    }
}
