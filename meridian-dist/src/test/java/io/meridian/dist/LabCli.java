package io.meridian.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
