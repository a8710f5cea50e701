package io.meridian.cli.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.cli.MeridianCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad arguments are refused in one line naming the option, before any cluster is contacted. */
class PlanArgumentsTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "--window,   10x,  '--window: expected a duration like 10m'",
            "--margin,   0.5,  '--margin: expected a factor of at least 1, got 0.5'",
            "--sessions, 0,    '--sessions: expected at least 1, got 0'",
            "--logical-share, 1.5, '--logical-share: expected a fraction of the WAL between 0 and 1, got 1.5'",
            "--interval, 20m,  '--window 10m must be at least one --interval 20m'",
            "--jdbc-url, 'jdbc:postgresql://h/db?user=u&password=secret', '--jdbc-url: put the password in ~/.pgpass'",
    })
    void refused(String option, String value, String message) {
        String err = run("plan", option, value);
        assertThat(err).startsWith("meridian: ").contains(message);
    }

    @org.junit.jupiter.api.Test
    void aBadPriceTableIsRefusedNamingTheFileAndKey() throws Exception {
        Path file = Files.writeString(dir.resolve("prices.yml"), "provider: x\ncurrency: EUR\n"
                + "node: {instance: big, storage_gb: 1, backup_gb: 1}\n"
                + "prices: {instances: {small: 1}, storage_per_gb_month: 1, backup_per_gb_month: 0, transfer_per_gb: 0.1}\n");
        assertThat(run("plan", "--prices", file.toString())).startsWith("meridian: " + file)
                .contains("prices.instances: no price for node.instance big");
        Files.writeString(file, "prices: 3\n");
        assertThat(run("plan", "--prices", file.toString())).startsWith("meridian: " + file).contains("key prices");
    }

    private String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = MeridianCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip()).doesNotContain("\n");
        return err.toString();
    }
}
