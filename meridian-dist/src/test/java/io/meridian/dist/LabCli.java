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
