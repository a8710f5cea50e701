package io.meridian.lab.cli;

import io.meridian.core.console.CliException;
import io.meridian.core.postgres.PgEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starting, finding and stopping the lab's own processes, each by its recorded process id. None of
 * them inherits libpq's variables from the user's shell ({@link PgEnvironment}): a {@code PGPASSWORD}
 * exported there once made a rejoined replica's WAL receiver fail authentication for ever.
 */
public final class LabProcesses {

    private LabProcesses() {
    }

    /**
     * The {@code meridian} command line that runs this same build: {@code java -jar <jar>} when we
     * run from the shaded jar ($MERIDIAN_JAR overrides, for tests running from classes).
     */
    public static List<String> meridianCommand() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String env = System.getenv("MERIDIAN_JAR");
        Path jar = env != null && !env.isBlank() ? Path.of(env) : codeSource();
        if (jar == null || !Files.isRegularFile(jar) || !jar.toString().endsWith(".jar")) {
            throw new CliException("cannot find the meridian jar to start agents with (running from "
                    + codeSource() + "): run ./meridian, or set MERIDIAN_JAR to meridian-dist/target/meridian.jar");
        }
        // Agents and routers started by the lab die on OutOfMemoryError, as under the launcher and systemd.
        return List.of(java, "-XX:+ExitOnOutOfMemoryError", "-jar", jar.toAbsolutePath().toString());
    }

    /**
     * {@link #meridianCommand()} run from the lab's own copy of the jar ({@code <lab>/meridian.jar},
     * made on first use): a rebuild of {@code meridian-dist/target/meridian.jar} while the lab runs
     * must not swap classes under its agents (they halt on the {@code NoClassDefFoundError} that
     * follows, and their fence keepers then stop PostgreSQL). Every process of one lab runs one build.
     */
    public static List<String> meridianCommand(Path labDir) {
        List<String> cmd = meridianCommand();
        Path jar = Path.of(cmd.get(cmd.size() - 1));
        Path copy = labDir.resolve("meridian.jar");
        try {
            if (!Files.isRegularFile(copy)) {
                Path tmp = Files.createTempFile(labDir, "meridian", ".jar.tmp");
                Files.copy(jar, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, copy, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (java.io.IOException e) {
            throw new CliException("cannot copy " + jar + " into the lab (" + copy + "): " + e.getMessage());
        }
        List<String> out = new ArrayList<>(cmd.subList(0, cmd.size() - 1));
        out.add(copy.toString());
        return out;
    }

    private static Path codeSource() {
        try {
            return Path.of(LabProcesses.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * Starts {@code command} in its own session ({@code setsid}), so a Ctrl-C or a closed terminal
     * of the CLI does not reach it, with stdout and stderr appended to {@code log}.
     *
     * @return its process id (setsid execs in place: a fresh child is no group leader)
     */
    public static long spawnDetached(List<String> command, Path log) {
        List<String> full = new ArrayList<>();
        full.add("setsid");
        full.addAll(command);
        try {
            ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            PgEnvironment.clean(pb.environment());
            Process p = pb.start();
            return p.pid();
        } catch (IOException e) {
            throw new CliException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    public static boolean isAlive(long pid) {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** SIGKILL: the crash a drill wants. True when the process was alive. */
    public static boolean kill(long pid) {
        Optional<ProcessHandle> h = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        h.get().destroyForcibly();
        awaitExit(h.get(), 5);
        return true;
    }

    /**
     * Sends a signal by name ({@code STOP}, {@code CONT}) with kill(1): the JDK only sends TERM and
     * KILL. A drill freezes an agent this way, as a long GC pause or a stalled VM would.
     *
     * @return true when the process was alive and took the signal
     */
    public static boolean signal(long pid, String signal) {
        if (!isAlive(pid)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            throw new CliException("cannot send SIG" + signal + " to pid " + pid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGTERM, then SIGKILL after {@code graceSeconds}. */
    public static void stop(long pid, long graceSeconds) {
        Optional<ProcessHandle> h = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
        if (h.isEmpty() || !h.get().isAlive()) {
            return;
        }
        h.get().destroy();
        if (!awaitExit(h.get(), graceSeconds)) {
            h.get().destroyForcibly();
            awaitExit(h.get(), 5);
        }
    }

    private static boolean awaitExit(ProcessHandle h, long seconds) {
        try {
            h.onExit().get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !h.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !h.isAlive();
        }
    }

    /** The live postmaster of a data directory, from the first line of postmaster.pid, else -1. */
    public static long postmasterPid(Path dataDir) {
        Path f = dataDir.resolve("postmaster.pid");
        try {
            if (!Files.isReadable(f)) {
                return -1;
            }
            List<String> lines = Files.readAllLines(f);
            long pid = lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
            return isAlive(pid) ? pid : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** A command run as {@code osUser} when we are root (PostgreSQL refuses root), else as ourselves. */
    public static List<String> asUser(String osUser, List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> full = new ArrayList<>(List.of("runuser", "-u", osUser, "--"));
        full.addAll(command);
        return full;
    }

    /** Runs a short command to completion; returns its exit code, output discarded to {@code log}. */
    public static int run(List<String> command, Path log, long timeoutSeconds) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            PgEnvironment.clean(pb.environment());
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new CliException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The last lines of a log, to show why a process died. */
    public static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }
}
