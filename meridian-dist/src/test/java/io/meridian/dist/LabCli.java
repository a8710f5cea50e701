package io.meridian.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the packaged {@code meridian} jar as an operator would, keeping its output in a folder. */
final class LabCli {

    static final Path JAR = Path.of("target", "meridian.jar").toAbsolutePath();

    record Run(int rc, String out, String err) {
    }

    private LabCli() {
    }

    /**
     * A new folder under /tmp for one test class's lab and the CLI's output files, open to the
     * lab's processes (rwxr-xr-x). Made before {@link #up}, so that {@link #down} still stops a
     * lab whose start failed half-way.
     */
    static Path folder(String prefix) throws IOException {
        assertThat(JAR).as("the meridian jar (mvn package builds it before this test)").exists();
        Path dir = Files.createTempDirectory(Path.of("/tmp"), prefix);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    /** Where the lab of a {@link #folder} lives. */
    static Path lab(Path dir) {
        return dir.resolve("lab");
    }

    /** {@code meridian lab up OPTIONS --dir DIR/lab}, failing the test with the CLI's output if it fails. */
    static void up(Path dir, String... options) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("lab", "up"));
        args.addAll(List.of(options));
        args.addAll(List.of("--dir", lab(dir).toString()));
        Run up = meridian(dir, Duration.ofMinutes(6), args.toArray(String[]::new));
        assertThat(up.rc()).as(String.join(" ", args) + ":\n" + up.out() + up.err()).isZero();
    }

    /**
     * Keeps the lab's logs under {@code target/LOGS}, stops the lab and removes the folder; nothing
     * if {@link #folder} was never made.
     */
    static void down(Path dir, String logs) throws IOException, InterruptedException {
        if (dir == null) {
            return;
        }
        keepLogs(dir, logs); // lab down removes the lab's folder
        meridian(dir, Duration.ofMinutes(2), "lab", "down", "--dir", lab(dir).toString());
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * The lab's logs (agents, PostgreSQL, etcd, WAN proxy, router) outlive it, for the CI report.
     * Best effort: a log that vanishes meanwhile is skipped, and the test's verdict never depends on it.
     */
    static void keepLogs(Path from, String name) {
        Path to = Path.of("target", name);
        try (var files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".log"))::iterator) {
                try {
                    Path copy = to.resolve(from.relativize(p));
                    Files.createDirectories(copy.getParent());
                    Files.copy(p, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } catch (java.io.IOException e) {
                    System.out.println("lab log not kept: " + p + ": " + e);
                }
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            System.out.println("lab logs not kept: " + e);
        }
    }

    static Run meridian(Path dir, Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(-1, Files.readString(out), Files.readString(err) + "\n(timed out after " + timeout + ")");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
