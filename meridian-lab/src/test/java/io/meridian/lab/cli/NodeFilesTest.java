package io.meridian.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.config.NodeConfig;
import io.meridian.core.config.NodeConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeFilesTest {

    @TempDir
    Path dir;

    @Test
    void aRenderedNodeFileIsAcceptedByTheAgentsLoaderAndIsPrivate() throws Exception {
        LabSecrets secrets = LabSecrets.generate();
        NodeFiles.Spec spec = new NodeFiles.Spec("lab", "paris-1", "paris", dir.resolve("paris-1/data"),
                Path.of("/usr/lib/postgresql/15/bin"), 15432, 25432, 18008, 28008,
                List.of("http://127.0.0.1:2379", "http://127.0.0.1:2479"), "/meridian", "region_quorum", null);
        Path file = dir.resolve("node.yml");
        NodeFiles.writePrivate(file, NodeFiles.render(spec, secrets));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        NodeConfig c = NodeConfigLoader.load(file);
        assertThat(c.name()).isEqualTo("paris-1");
        assertThat(c.region()).isEqualTo("paris");
        assertThat(c.etcd().endpoints()).containsExactly("http://127.0.0.1:2379", "http://127.0.0.1:2479");
        assertThat(c.postgresql().listen().port()).isEqualTo(15432);
        assertThat(c.postgresql().connectAddress().port()).isEqualTo(25432);
        assertThat(c.postgresql().superuser().password()).isEqualTo(secrets.superuser());
        assertThat(c.postgresql().replication().username()).isEqualTo("replicator");
        assertThat(c.restapi().connectAddress().port()).isEqualTo(28008);
        assertThat(c.restapi().password()).isEqualTo(secrets.rest());
        assertThat(c.bootstrap().synchronousMode()).isEqualTo("region_quorum");
    }

    @Test
    void aTlsLabNodeFileNamesItsCertificatesForEtcdPostgresqlAndTheRestApi() throws Exception {
        Path tls = Files.createDirectories(dir.resolve("tls"));
        for (String f : List.of("root.crt", "paris-1.crt", "paris-1.key")) {
            Files.writeString(tls.resolve(f), "-----BEGIN-----\n");
        }
        NodeFiles.Spec spec = new NodeFiles.Spec("lab", "paris-1", "paris", dir.resolve("paris-1/data"),
                Path.of("/usr/lib/postgresql/15/bin"), 15432, 25432, 18008, 28008,
                List.of("https://127.0.0.1:2379", "https://127.0.0.1:2479"), "/meridian", "off", tls);
        Path file = dir.resolve("tls-node.yml");
        NodeFiles.writePrivate(file, NodeFiles.render(spec, LabSecrets.generate()));
        NodeConfig c = NodeConfigLoader.load(file);
        assertThat(c.postgresql().tls().sslmode()).isEqualTo("verify-full");
        assertThat(c.postgresql().tls().certificate()).isEqualTo(tls.resolve("paris-1.crt"));
        assertThat(c.restapi().tls().caFile()).isEqualTo(tls.resolve("root.crt"));
        assertThat(c.restapi().url()).startsWith("https://");
        assertThat(c.etcd().tls().certificate()).isEqualTo(tls.resolve("paris-1.crt"));
    }

    @Test
    void pgpassHasOneLinePerNodeAndTheDsnHoldsNoPassword() {
        LabSecrets secrets = new LabSecrets("s3cret", "r", "x");
        assertThat(NodeFiles.pgpass(List.of(5432, 5433), secrets))
                .isEqualTo("127.0.0.1:5432:*:postgres:s3cret\n127.0.0.1:5433:*:postgres:s3cret\n");
        assertThat(LabPlan.dsn(5432, Path.of("/tmp/lab/pgpass")))
                .isEqualTo("host=127.0.0.1 port=5432 user=postgres dbname=postgres passfile=/tmp/lab/pgpass");
        assertThat(secrets.toString()).doesNotContain("s3cret");
    }

    @Test
    void generatedPasswordsDifferAndNeedNoQuoting() {
        LabSecrets a = LabSecrets.generate();
        assertThat(a.superuser()).matches("[A-Za-z0-9_-]{24}").isNotEqualTo(a.replication()).isNotEqualTo(a.rest());
    }
}
