package io.meridian.cli.adopt;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.cli.MeridianCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code meridian adopt}'s mistakes are one line and touch nothing; without --take-over it only writes the node file. */
class AdoptArgumentsTest {

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        CommandLine cmd = MeridianCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        return new Run(cmd.execute(args), out.toString(), err.toString());
    }

    @Test
    void mistakesAreOneLine() {
        assertThat(run("adopt").err()).startsWith("meridian: Error: Missing required argument")
                .endsWith("(see 'meridian adopt --help')" + System.lineSeparator());
        assertThat(run("adopt", "--pgdata", "/x", "--config-dir", "/y").err()).isEqualTo(
                "meridian: --pgdata needs --cluster NAME and --etcd URL[,URL...] (see 'meridian adopt --help')" + System.lineSeparator());
        assertThat(run("adopt", "--pgdata", dir.toString(), "--config-dir", "/y", "--cluster", "c", "--etcd",
                "http://127.0.0.1:2379").err()).startsWith("meridian: " + dir + ": no running PostgreSQL");
        Run missing = run("adopt", "--patroni", dir.resolve("none.yml").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).startsWith("meridian: cannot read " + dir.resolve("none.yml"));
    }

    @Test
    void withoutTakeOverItWritesOnlyTheNodeFile() throws Exception {
        Path patroni = dir.resolve("patroni.yml");
        Files.writeString(patroni, """
                scope: demo
                name: node-1
                restapi: {listen: 127.0.0.1:8008}
                etcd3: {hosts: "127.0.0.1:2379,127.0.0.1:2380"}
                tags: {clonefrom: true}
                postgresql:
                  listen: 127.0.0.1:5432
                  data_dir: %s
                  authentication:
                    superuser: {username: postgres, password: a}
                    replication: {username: replicator, password: b}
                """.formatted(dir.resolve("data")));
        Path node = dir.resolve("node.yml");
        Run r = run("adopt", "--patroni", patroni.toString(), "-o", node.toString(), "--region", "paris");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote " + node, "tags.clonefrom: not carried over", "restapi.authentication: absent",
                "next: stop Patroni on this node");
        assertThat(Files.getPosixFilePermissions(node)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(node)).contains("region: paris", "- http://127.0.0.1:2380");
        assertThat(dir.resolve("data")).doesNotExist();
    }
}
