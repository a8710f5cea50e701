package io.meridian.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball as an operator gets it: unpacked into an empty folder and run through its
 * {@code bin/meridian} with a PATH that has java, bash and the system's tools but no Maven, and no
 * JAVA_HOME, so a launcher that tried to build would fail here.
 */
class TarballIT {

    /** Names left out of the test's PATH: any of them would let a launcher build from source. */
    private static final Set<String> BUILD_TOOLS = Set.of("mvn", "mvnDebug", "mvnyjp", "gradle", "ant");

    @TempDir
    static Path tmp;

    static Path home;
    static Path bin;

    record Run(int rc, String out) {
    }

    @BeforeAll
    static void unpack() throws Exception {
        Path tarball;
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            tarball = s.filter(p -> p.getFileName().toString().matches("meridian-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no target/meridian-<version>.tar.gz: run mvn package"));
        }
        Path install = Files.createDirectories(tmp.resolve("install"));
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toAbsolutePath().toString(), "-C", install.toString())
                .inheritIO().start();
        assertThat(tar.waitFor()).as("tar -x").isZero();
        try (Stream<Path> s = Files.list(install)) {
            home = s.findFirst().orElseThrow();
        }
        // The agent runs PostgreSQL's tools (and sync) as postgres through runuser, with this PATH:
        // postgres must be able to walk into it, as into /usr/bin.
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        bin = pathWithoutBuildTools(Files.createDirectories(tmp.resolve("path")));
    }

    /**
     * A folder of links to every command in /usr/bin, /bin, /usr/sbin and /sbin (the agent runs
     * PostgreSQL's tools through runuser) except build tools, and to this JVM's java.
     */
    private static Path pathWithoutBuildTools(Path dir) throws IOException {
        for (String from : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            try (Stream<Path> s = Files.list(Path.of(from))) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Path link = dir.resolve(p.getFileName().toString());
                    if (!BUILD_TOOLS.contains(p.getFileName().toString()) && Files.notExists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, p);
                    }
                }
            }
        }
        Path java = dir.resolve("java");
        Files.deleteIfExists(java);
        Files.createSymbolicLink(java, Path.of(System.getProperty("java.home"), "bin", "java"));
        return dir;
    }

    /** Runs {@code command} in a clean environment: PATH is {@link #bin} alone, no JAVA_HOME, no Maven variables. */
    private static Run run(Duration timeout, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", bin.toString());
        env.put("HOME", tmp.toString());
        env.put("LANG", "C.UTF-8");
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Process p = pb.redirectOutput(out.toFile()).start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(-1, Files.readString(out) + "\n(timed out after " + timeout + ")");
        }
        return new Run(p.exitValue(), Files.readString(out));
    }

    @Test
    void thePathOfTheseTestsHasJavaButNoMaven() throws Exception {
        assertThat(run(Duration.ofSeconds(30), "bash", "-c", "command -v mvn").rc()).isNotZero();
        assertThat(run(Duration.ofSeconds(30), "bash", "-c", "command -v java").rc()).isZero();
    }

    @Test
    void helpRunsFromTheUnpackedTarball() throws Exception {
        Run help = run(Duration.ofMinutes(1), home.resolve("bin/meridian").toString(), "--help");
        assertThat(help.rc()).as(help.out()).isZero();
        assertThat(help.out()).contains("Usage: meridian").contains("agent").contains("router").contains("lab");
    }

    @Test
    void theLauncherFindsJavaThroughJavaHomeToo() throws Exception {
        // A PATH with the shell tools the launcher uses but no java at all.
        Path noJava = Files.createDirectories(tmp.resolve("path-without-java"));
        for (String tool : List.of("bash", "env", "readlink", "dirname")) {
            Files.createSymbolicLink(noJava.resolve(tool), bin.resolve(tool));
        }
        Run help = run(Duration.ofMinutes(1), "env", "PATH=" + noJava, "JAVA_HOME=" + System.getProperty("java.home"),
                bin.resolve("bash").toString(), home.resolve("bin/meridian").toString(), "--help");
        assertThat(help.rc()).as(help.out()).isZero();
        assertThat(help.out()).contains("Usage: meridian");
        Run none = run(Duration.ofMinutes(1), "env", "PATH=" + noJava, bin.resolve("bash").toString(),
                home.resolve("bin/meridian").toString(), "--help");
        assertThat(none.rc()).as(none.out()).isEqualTo(127);
        assertThat(none.out()).contains("no java found");
    }

    @Test
    void labUpStatusAndDownRunFromTheUnpackedTarball() throws Exception {
        // Directly under /tmp: the postgres user must reach it, and @TempDir's folder is private.
        Path lab = Path.of("/tmp", "lab-tarball-it-" + ProcessHandle.current().pid());
        String meridian = home.resolve("bin/meridian").toString();
        try {
            Run up = run(Duration.ofMinutes(6), meridian, "lab", "up", "--regions", "paris", "--dir", lab.toString());
            assertThat(up.rc()).as("lab up:\n" + up.out()).isZero();
            Run status = run(Duration.ofMinutes(1), meridian, "lab", "status", "--format", "json", "--dir", lab.toString());
            assertThat(status.rc()).as("lab status:\n" + status.out()).isZero();
            var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(status.out());
            assertThat(report.path("leader").asText()).as(status.out()).isEqualTo("paris-1");
            assertThat(report.path("nodes").get(0).path("state").asText()).as(status.out()).isEqualTo("running");
            reloadOnHangup(io.meridian.lab.cli.LabState.read(lab).nodes().get(0), report.path("nodes").get(0).path("dsn").asText());
        } finally {
            LabCli.keepLogs(lab, "tarball-it-logs");
            Run down = run(Duration.ofMinutes(2), meridian, "lab", "down", "--dir", lab.toString());
            assertThat(down.rc()).as("lab down:\n" + down.out()).isZero();
        }
    }

    /**
     * The agent started from the tarball re-reads its node file on SIGHUP (what systemd's
     * ExecReload sends): a changed tag and a node parameter apply live, a broken file changes nothing.
     */
    private static void reloadOnHangup(io.meridian.lab.cli.LabState.Node node, String dsn) throws Exception {
        var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        Path file = Path.of(node.config());
        Path log = Path.of(node.log());
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) yaml.readTree(file.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("tags")).put("failover_priority", 3);
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("postgresql")).putObject("parameters").put("work_mem", "7MB");
        String good = yaml.writeValueAsString(root);
        Files.writeString(file, good);
        assertThat(run(Duration.ofSeconds(30), "kill", "-HUP", Long.toString(node.agentPid())).rc()).isZero();
        org.awaitility.Awaitility.await("the agent logs what its reload applied").atMost(Duration.ofMinutes(1))
                .until(() -> Files.readString(log).contains("reloaded: applied tags.failover_priority, postgresql.parameters"));
        org.awaitility.Awaitility.await("work_mem from the node file is live in PostgreSQL").atMost(Duration.ofMinutes(1))
                .until(() -> run(Duration.ofSeconds(30), "psql", dsn, "-Atc", "show work_mem").out().trim().equals("7MB"));

        Files.writeString(file, good.replace("failover_priority: 3", "failover_priority: many"));
        assertThat(run(Duration.ofSeconds(30), "kill", "-HUP", Long.toString(node.agentPid())).rc()).isZero();
        org.awaitility.Awaitility.await("the agent refuses the broken file").atMost(Duration.ofMinutes(1))
                .until(() -> Files.readString(log).contains("node file not reloaded, nothing changed: " + file + ": tags.failover_priority"));
        assertThat(run(Duration.ofSeconds(30), "kill", "-0", Long.toString(node.agentPid())).rc()).as("the agent still runs").isZero();
    }

    @Test
    void manPagesAndCompletionAreThereAndNotEmpty() throws Exception {
        List<Path> files = new ArrayList<>(List.of(
                home.resolve("share/man/man1/meridian.1"),
                home.resolve("share/man/man1/meridian-agent.1"),
                home.resolve("share/man/man1/meridian-router.1"),
                home.resolve("share/man/man1/meridian-lab-up.1"),
                home.resolve("share/bash-completion/completions/meridian"),
                home.resolve("share/zsh/site-functions/_meridian"),
                home.resolve("etc/node.yml.sample"),
                home.resolve("deploy/haproxy/haproxy.cfg"),
                home.resolve("deploy/prometheus/meridian-rules.yml"),
                home.resolve("deploy/grafana/meridian-dashboard.json"),
                home.resolve("README.md"),
                home.resolve("docs/install.md")));
        for (Path f : files) {
            assertThat(f).as(f.toString()).isRegularFile();
            assertThat(Files.size(f)).as(f.toString()).isPositive();
        }
        assertThat(Files.readString(home.resolve("share/man/man1/meridian-agent.1"))).startsWith("'\\\" t").contains(".TH \"MERIDIAN\\-AGENT\" \"1\"")
                .contains(".SH \"NAME\"").contains("Run the agent of one PostgreSQL node");
        assertThat(Files.readString(home.resolve("share/zsh/site-functions/_meridian"))).startsWith("#compdef meridian").contains("bashcompinit");
        // The bash script parses, and defines the completion function bash binds to meridian.
        Run bash = run(Duration.ofSeconds(30), "bash", "-c", "source " + home.resolve("share/bash-completion/completions/meridian")
                + " && complete -p meridian");
        assertThat(bash.rc()).as(bash.out()).isZero();
        assertThat(home.resolve("bin/meridian")).isExecutable();
    }

    /** The .deb puts the same release under /usr; unpacked (not installed) here, its launcher runs too. */
    @Test
    void theDebHoldsTheReleaseInDebianPlaces() throws Exception {
        Path deb;
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            deb = s.filter(p -> p.getFileName().toString().matches("meridian_.*_all\\.deb")).findFirst()
                    .orElseThrow(() -> new AssertionError("no target/meridian_<version>_all.deb"));
        }
        Run list = run(Duration.ofMinutes(1), "dpkg-deb", "--contents", deb.toAbsolutePath().toString());
        assertThat(list.rc()).as(list.out()).isZero();
        assertThat(list.out()).contains("./usr/share/meridian/lib/meridian.jar", "./usr/bin/meridian -> /usr/share/meridian/bin/meridian",
                "./lib/systemd/system/meridian-agent.service", "./lib/systemd/system/meridian-router.service",
                "./usr/share/man/man1/meridian-agent.1", "./usr/share/bash-completion/completions/meridian",
                "./usr/share/zsh/vendor-completions/_meridian", "./usr/share/meridian/etc/node.yml.sample");
        Path root = Files.createDirectories(tmp.resolve("deb-root"));
        Run extract = run(Duration.ofMinutes(1), "dpkg-deb", "--extract", deb.toAbsolutePath().toString(), root.toString());
        assertThat(extract.rc()).as(extract.out()).isZero();
        Run help = run(Duration.ofMinutes(1), root.resolve("usr/share/meridian/bin/meridian").toString(), "--help");
        assertThat(help.rc()).as(help.out()).isZero();
        assertThat(help.out()).contains("Usage: meridian");
    }

    @Test
    void systemdUnitsReloadOnHangupAndKeepTheFenceKeeper() throws Exception {
        String agent = Files.readString(home.resolve("systemd/meridian-agent.service"));
        String router = Files.readString(home.resolve("systemd/meridian-router.service"));
        assertThat(agent).contains("ExecReload=/bin/kill -HUP $MAINPID").contains("KillMode=process")
                .contains("ExecStart=meridian agent -c /etc/meridian/node.yml");
        assertThat(router).contains("ExecReload=/bin/kill -HUP $MAINPID").contains("ExecStart=meridian router -c /etc/meridian/router.yml");
    }
}
