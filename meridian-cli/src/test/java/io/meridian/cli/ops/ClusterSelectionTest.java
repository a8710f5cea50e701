package io.meridian.cli.ops;

import io.meridian.cli.MeridianCli;
import io.meridian.core.console.CliException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * How a verb finds its node file, as patronictl users type it: {@code -c} before or after the verb,
 * then {@code $MERIDIAN_CONFIG}, then {@code /etc/meridian/meridian.yml}, then the lab.
 */
class ClusterSelectionTest {

    @TempDir
    Path dir;

    @AfterEach
    void realEnvironment() {
        ClusterSelection.environment = System::getenv;
    }

    private Path nodeFile(String name, String cluster) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, "cluster: " + cluster + "\nname: cli\nregion: paris\n"
                + "etcd: {endpoints: [http://127.0.0.1:1]}\n"
                + "postgresql: {data_dir: /tmp/unused, listen: 127.0.0.1:1, superuser: {password: x}, replication: {password: y}}\n"
                + "restapi: {listen: 127.0.0.1:2, username: admin, password: secret}\n");
        return f;
    }

    /** The cluster options of the verb the arguments name, parsed as the real command line does. */
    private static ClusterSelection selection(String... args) {
        CommandLine.ParseResult pr = MeridianCli.commandLine().parseArgs(args);
        CommandLine.Model.CommandSpec verb = pr.subcommand().commandSpec();
        return verb.mixins().values().stream().map(m -> m.userObject()).filter(ClusterSelection.class::isInstance)
                .map(ClusterSelection.class::cast).findFirst().orElseThrow();
    }

    @Test
    void theNodeFileMayComeBeforeOrAfterTheVerb() throws Exception {
        Path a = nodeFile("a.yml", "alpha");
        Path b = nodeFile("b.yml", "beta");
        assertThat(selection("-c", a.toString(), "list").resolve().cluster()).isEqualTo("alpha");
        assertThat(selection("--config", a.toString(), "switchover", "--force").resolve().source()).isEqualTo(a.toString());
        assertThat(selection("list", "-c", a.toString()).resolve().cluster()).isEqualTo("alpha");
        // After the verb is closer to it: it wins over the one before.
        assertThat(selection("-c", a.toString(), "list", "-c", b.toString()).resolve().cluster()).isEqualTo("beta");
        // query takes -c for its SQL, as patronictl does: the node file goes before the verb or as --config.
        assertThat(selection("-c", a.toString(), "query", "-c", "select 1").resolve().cluster()).isEqualTo("alpha");
        assertThat(selection("query", "--config", b.toString(), "-c", "select 1").resolve().cluster()).isEqualTo("beta");
    }

    @Test
    void meridianConfigIsTheDefaultUnlessOptionsNameTheCluster() throws Exception {
        Path env = nodeFile("env.yml", "fromenv");
        Path a = nodeFile("a.yml", "alpha");
        ClusterSelection.environment = Map.of("MERIDIAN_CONFIG", env.toString())::get;
        assertThat(selection("list").resolve().cluster()).isEqualTo("fromenv");
        assertThat(selection("-c", a.toString(), "list").resolve().cluster()).isEqualTo("alpha");
        assertThat(selection("list", "--etcd", "http://127.0.0.1:1", "--cluster", "given").resolve().cluster()).isEqualTo("given");
        assertThat(selection("list", "--lab-dir", dir.toString()).nodeFile()).isNull();

        ClusterSelection.environment = Map.of("MERIDIAN_CONFIG", dir.resolve("missing.yml").toString())::get;
        assertThatThrownBy(() -> selection("list").resolve()).isInstanceOf(CliException.class)
                .hasMessage("MERIDIAN_CONFIG names " + dir.resolve("missing.yml") + ", which is not a file (unset it, or use -c node.yml)");
    }

    @Test
    void etcMeridianIsReadWhenReadableElseTheLab() throws Exception {
        Path etc = nodeFile("meridian.yml", "etc");
        assertThat(ClusterSelection.defaultConfig(null, etc)).isEqualTo(etc);
        assertThat(ClusterSelection.defaultConfig("", etc)).isEqualTo(etc);
        assertThat(ClusterSelection.defaultConfig(null, dir.resolve("absent.yml"))).isNull();
        Path env = nodeFile("env.yml", "env");
        assertThat(ClusterSelection.defaultConfig(env.toString(), etc)).isEqualTo(env);
    }
}
