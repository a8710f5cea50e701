package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every operator mistake is one line "meridian: ..." on stderr and exit code 1, before any network call. */
class CliArgumentsTest {

    @TempDir
    Path emptyLab;

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        CommandLine cmd = MeridianCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private void assertOneLineError(Run r, String message) {
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("meridian: " + message + System.lineSeparator());
    }

    @Test
    void noCommandAndUnknownOptions() {
        assertOneLineError(run(), "missing command (see 'meridian --help')");
        assertOneLineError(run("list", "--bogus"), "Unknown option: '--bogus' (see 'meridian list --help')");
        assertOneLineError(run("list", "--format", "xml"),
                "Invalid value for option '--format': expected one of [pretty, tsv, yaml, json] (case-sensitive) but was 'xml' (see 'meridian list --help')");
        assertOneLineError(run("lab"), "missing command (see 'meridian lab --help')");
    }

    @Test
    void missingRequiredArguments() {
        assertOneLineError(run("failover"), "Missing required option: '--candidate=<candidate>' (see 'meridian failover --help')");
        assertOneLineError(run("restart"), "Missing required parameter: 'NODE' (see 'meridian restart --help')");
        assertOneLineError(run("lab", "kill"), "Missing required parameter: 'NODE' (see 'meridian lab kill --help')");
    }

    @Test
    void connectionSettingsAreCheckedBeforeConnecting() {
        assertOneLineError(run("list", "--etcd", "http://127.0.0.1:2379"), "--etcd needs --cluster NAME (or use -c node.yml)");
        assertOneLineError(run("list", "--cluster", "lab"), "--cluster needs --etcd URLS (or use -c node.yml)");
        assertOneLineError(run("list", "--etcd", "localhost", "--cluster", "lab"),
                "--etcd: expected URLs like http://127.0.0.1:2379, got \"localhost\"");
        assertOneLineError(run("list", "--lab-dir", emptyLab.toString()),
                "no cluster given: use -c node.yml, or --etcd URLS --cluster NAME, or start a lab with 'meridian lab up' (no lab state in "
                        + emptyLab + ")");
        assertOneLineError(run("list", "-c", emptyLab.resolve("node.yml").toString()), emptyLab.resolve("node.yml") + ": no such file");
    }

    @Test
    void verbSpecificChecksComeFirst() {
        assertOneLineError(run("switchover", "--scheduled", "yesterday"),
                "--scheduled: expected an ISO-8601 time like 2026-05-01T03:00:00Z, got \"yesterday\"");
        assertOneLineError(run("edit-config", "--set", "ttl=10", "--apply", "x.yml"), "edit-config: use only one of --set, --apply and --replace");
        assertOneLineError(run("lag", "--interval", "0"), "--interval: expected at least 0.1 seconds, got 0.0");
    }

    @Test
    void labCommandsWithoutALab() {
        assertOneLineError(run("lab", "status", "--dir", emptyLab.toString()),
                "no lab in " + emptyLab + " (no lab.json): start one with 'meridian lab up'");
        assertOneLineError(run("lab", "partition", "paris", "--dir", emptyLab.toString()),
                "no lab in " + emptyLab + " (no lab.json): start one with 'meridian lab up'");
        Run down = run("lab", "down", "--dir", emptyLab.toString());
        assertThat(down.code()).isZero();
        assertThat(down.out()).contains("No lab in " + emptyLab);
        assertOneLineError(run("lab", "up", "--regions", "paris,paris", "--dir", emptyLab.toString()), "--regions: paris is listed twice");
        assertOneLineError(run("lab", "up", "--regions", "Paris", "--dir", emptyLab.toString()),
                "--regions: expected lower-case names of letters, digits and '-', got \"Paris\"");
    }
}
