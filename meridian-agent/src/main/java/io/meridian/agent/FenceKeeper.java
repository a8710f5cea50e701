package io.meridian.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fence outside the JVM: a small bash process ({@code meridian-fence-keeper.sh}) per data
 * directory, started under {@code setsid}, that kills the postmaster and its backends when its
 * deadline passes without a new one. A frozen or killed agent cannot renew its lease, and cannot
 * run its own fence either; the keeper still holds the last deadline and acts on it, also in the
 * window between the agent's death and its restart. A restarted agent re-attaches to the running
 * keeper (its pid file) and leaves its deadline armed until the HA loop decides.
 *
 * <p>Commands go through a FIFO in the fence folder as absolute CLOCK_BOOTTIME deadlines (see
 * {@link BootClock}), so a late or stale line can never extend the lease. A write never holds the
 * HA loop for more than {@link #WRITE_BOUND}: it runs on its own thread.
 */
final class FenceKeeper implements LeaderDeadline.Keeper, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FenceKeeper.class);
    static final String SCRIPT = "meridian-fence-keeper.sh";
    private static final Duration WRITE_BOUND = Duration.ofMillis(500);
    private static final Duration START_BOUND = Duration.ofSeconds(5);

    private final Path dir;
    private final Path dataDir;
    private final long agentPid = ProcessHandle.current().pid();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fence-keeper-writer");
        t.setDaemon(true);
        return t;
    });
    private volatile long pid;
    private volatile FileChannel fifo;
    private String lastArm; // replayed to a keeper started anew, so it starts armed

    private FenceKeeper(Path dir, Path dataDir) {
        this.dir = dir;
        this.dataDir = dataDir;
    }

    /** Finds the live keeper of {@code dir}, or starts one for the PostgreSQL in {@code dataDir}. */
    static FenceKeeper attach(Path dir, Path dataDir) throws IOException {
        FenceKeeper k = new FenceKeeper(dir, dataDir);
        k.ensureRunning();
        return k;
    }

    /** The keeper's process id. */
    long pid() {
        return pid;
    }

    @Override
    public void arm(long deadlineNanos) {
        String line = "arm " + BootClock.format(BootClock.centisAt(deadlineNanos)) + " " + agentPid;
        send(line);
    }

    @Override
    public void disarm() {
        send("disarm " + agentPid);
    }

    /** Ends the keeper now, armed or not: only once PostgreSQL is stopped or not ours to guard. */
    void quit() {
        send("quit");
    }

    private void send(String line) {
        Future<?> f;
        try {
            f = writer.submit(() -> {
                write(line);
                return null;
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.warn("fence keeper: \"{}\" not sent: this agent has closed its side", line);
            return;
        }
        try {
            f.get(WRITE_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.error("fence keeper: \"{}\" not written within {} ms; the keeper may be stopped", line, WRITE_BOUND.toMillis());
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.error("fence keeper: \"{}\" not written: {}", line, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void write(String line) throws IOException {
        if (!alive(pid)) {
            if (line.equals("quit") || line.startsWith("disarm")) {
                return; // nothing to tell a keeper that is gone
            }
            LOG.error("fence keeper {} of {} is gone; starting a new one", pid, dir);
            ensureRunning();
        }
        lastArm = line.startsWith("arm ") ? line : null;
        fifo.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)));
    }

    private synchronized void ensureRunning() throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path pidFile = dir.resolve("keeper.pid");
        long found = readPid(pidFile);
        if (found > 0 && alive(found) && isKeeper(found)) {
            pid = found;
            LOG.info("fence keeper {} of {} found running; re-attached", pid, dir);
        } else {
            start(pidFile);
        }
        if (fifo != null) {
            fifo.close();
        }
        // Read-write: opening a FIFO so never blocks, and a write never fails for want of a reader.
        fifo = FileChannel.open(dir.resolve("arm"), StandardOpenOption.READ, StandardOpenOption.WRITE);
        // Tells a keeper left by an earlier run whom to watch; its deadline stays armed.
        fifo.write(ByteBuffer.wrap(("attach " + agentPid + "\n").getBytes(StandardCharsets.US_ASCII)));
        if (lastArm != null) {
            fifo.write(ByteBuffer.wrap((lastArm + "\n").getBytes(StandardCharsets.US_ASCII)));
        }
    }

    private void start(Path pidFile) throws IOException {
        Path script = dir.resolve(SCRIPT);
        Path tmp = dir.resolve(SCRIPT + ".tmp");
        try (InputStream in = FenceKeeper.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IOException("resource " + SCRIPT + " missing from the agent's jar");
            }
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        // Renamed into place: a keeper still running the old file keeps reading its own copy.
        Files.move(tmp, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Path arm = dir.resolve("arm");
        Files.deleteIfExists(arm); // a fresh FIFO: no stale line from an earlier keeper
        Files.deleteIfExists(pidFile);
        run("mkfifo", "-m", "600", arm.toString());
        Process p = new ProcessBuilder("setsid", "bash", script.toString(), dir.toString(), dataDir.toString(),
                Long.toString(agentPid))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("keeper.log").toFile()))
                .redirectErrorStream(true)
                .start();
        long until = System.nanoTime() + START_BOUND.toNanos();
        while (readPid(pidFile) <= 0) {
            if (!p.isAlive() || System.nanoTime() > until) {
                throw new IOException("fence keeper did not start; see " + dir.resolve("keeper.log"));
            }
            Thread.onSpinWait();
            sleepBriefly();
        }
        pid = readPid(pidFile);
        LOG.info("fence keeper {} started for {} (folder {})", pid, dataDir, dir);
    }

    private static void sleepBriefly() throws IOException {
        try {
            Thread.sleep(10); // polling the keeper's pid file, bounded by START_BOUND
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the fence keeper", e);
        }
    }

    private static void run(String... command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }

    private static long readPid(Path pidFile) {
        try {
            return Long.parseLong(Files.readString(pidFile).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Whether {@code pid} runs: a dead process stays a zombie until its parent (init, for a keeper
     * left by an earlier agent) reaps it, and {@link ProcessHandle#isAlive()} counts zombies.
     */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return pid > 0 && state != 'Z' && state != 'X';
        } catch (IOException | IndexOutOfBoundsException e) {
            return false;
        }
    }

    /** Guards against a reused pid: the process must be running this folder's keeper script. */
    private boolean isKeeper(long pid) {
        try {
            String cmd = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
            return cmd.contains(dir.resolve(SCRIPT).toString());
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops writing; the keeper process keeps whatever it was last told (see {@link #quit()}). */
    @Override
    public void close() {
        writer.shutdownNow();
        try {
            if (fifo != null) {
                fifo.close();
            }
        } catch (IOException e) {
            LOG.warn("closing the fence keeper's FIFO: {}", e.getMessage());
        }
    }
}
