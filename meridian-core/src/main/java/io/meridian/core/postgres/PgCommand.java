package io.meridian.core.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One run of a PostgreSQL binary as the OS user, its output (stdout and stderr merged) collected
 * line by line and optionally streamed, bounded by a timeout. Passwords never go on the command
 * line: callers pass a passfile path through {@code env}.
 *
 * <p>The environment is the agent's minus every {@code PG*} variable (see {@link PgEnvironment}),
 * plus what the caller sets: an inherited {@code PGPASSWORD} would otherwise reach the postmaster and
 * from there its WAL receiver, where libpq prefers it to the passfile of primary_conninfo.
 */
final class PgCommand {

    /**
     * Output lines kept: all of pg_controldata's (about 60), the tail of a pg_basebackup that
     * prints a progress line per second for hours.
     */
    private static final int KEPT_LINES = 400;

    /** What the command did: exit code and its last output lines. */
    record Result(String command, int exitCode, List<String> lines) {
        boolean ok() {
            return exitCode == 0;
        }

        String output() {
            return String.join("\n", lines);
        }

        /** An exception naming the command and quoting its last words. */
        PostgresException failure(String action) {
            List<String> tail = lines.subList(Math.max(0, lines.size() - 8), lines.size());
            return new PostgresException(action + ": " + command + " exited with " + exitCode
                    + (tail.isEmpty() ? "" : ": " + String.join(" | ", tail)));
        }
    }

    private final OsUser user;
    private final Map<String, String> inherited;
    private final Map<String, String> env = new HashMap<>();

    /** @param inherited the environment the agent was started with (a test seam: the JVM's own cannot change) */
    PgCommand(OsUser user, Map<String, String> inherited) {
        this.user = user;
        this.inherited = inherited;
        // English, parseable tool output (pg_controldata, pg_waldump) whatever the host's locale.
        env.put("LC_ALL", "C");
        env.put("LANG", "C");
    }

    PgCommand withEnv(String key, String value) {
        env.put(key, value);
        return this;
    }

    /**
     * Runs {@code argv} and waits for it; {@code timeout} null means no limit (pg_basebackup of a
     * large cluster). On timeout or interrupt the process is killed and an exception thrown.
     */
    Result run(List<String> argv, Duration timeout, Consumer<String> lineSink) throws PostgresException {
        String shown = String.join(" ", argv);
        ProcessBuilder pb = new ProcessBuilder(user.wrap(argv)).redirectErrorStream(true)
                // The OS user cannot enter root's working directory; initdb and pg_ctl call getcwd().
                .directory(new java.io.File("/"));
        pb.environment().clear();
        pb.environment().putAll(inherited);
        PgEnvironment.clean(pb.environment());
        pb.environment().putAll(env);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new PostgresException("cannot run " + shown + ": " + e.getMessage(), e);
        }
        Deque<String> kept = new ArrayDeque<>();
        Thread reader = new Thread(() -> pump(process.getInputStream(), kept, lineSink), "pg-output-" + argv.get(0));
        reader.setDaemon(true);
        reader.start();
        try {
            boolean done = timeout == null ? waitForever(process) : process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                process.destroyForcibly();
                throw new PostgresException(shown + " did not finish within " + timeout.toSeconds() + " s; killed");
            }
            // A detached child (the postmaster) may keep the pipe open; it never holds up the caller.
            reader.join(2000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new PostgresException(shown + " interrupted; killed", e);
        }
        synchronized (kept) {
            return new Result(shown, process.exitValue(), new ArrayList<>(kept));
        }
    }

    Result run(List<String> argv, Duration timeout) throws PostgresException {
        return run(argv, timeout, null);
    }

    private static boolean waitForever(Process process) throws InterruptedException {
        process.waitFor();
        return true;
    }

    /** Splits on both CR and LF: pg_basebackup -P and pg_rewind --progress redraw with CR. */
    private static void pump(InputStream in, Deque<String> kept, Consumer<String> sink) {
        StringBuilder line = new StringBuilder();
        char[] buf = new char[8192];
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            int n;
            while ((n = reader.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    char c = buf[i];
                    if (c == '\n' || c == '\r') {
                        emit(line, kept, sink);
                    } else {
                        line.append(c);
                    }
                }
            }
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The process died or was killed; its exit code tells the story.
        }
        emit(line, kept, sink);
    }

    private static void emit(StringBuilder line, Deque<String> kept, Consumer<String> sink) {
        if (line.length() == 0) {
            return;
        }
        String s = line.toString().stripTrailing();
        line.setLength(0);
        synchronized (kept) {
            kept.addLast(s);
            if (kept.size() > KEPT_LINES) {
                kept.removeFirst();
            }
        }
        if (sink != null) {
            try {
                sink.accept(s);
            } catch (RuntimeException e) {
                // A failing progress consumer must not stop the copy.
            }
        }
    }
}
