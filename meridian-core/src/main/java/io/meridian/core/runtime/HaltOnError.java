package io.meridian.core.runtime;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the process when a JVM {@link Error} (out of memory, stack overflow, a missing class, an
 * internal error…) reaches the top of any thread or is caught by one of our executors. A daemon that
 * lives on after an Error is worse than a dead one: its HA loop or etcd watch may be gone while its
 * REST API still answers "healthy". A dead agent is fenced by the external fence and restarted by
 * systemd; a lingering one is neither.
 *
 * <p>{@code halt}, not {@code exit}: shutdown hooks (the agent's orderly stop, which releases the
 * leader key) would run in a JVM whose state is no longer trusted, and could hang there.
 */
public final class HaltOnError {

    /** EX_SOFTWARE (sysexits.h): systemd's {@code Restart=on-failure} restarts on it. */
    public static final int EXIT_CODE = 70;

    private static final Logger LOG = LoggerFactory.getLogger(HaltOnError.class);

    private HaltOnError() {
    }

    /**
     * Installs the process-wide handler; called first thing by the agent and the router.
     *
     * @param process named in the last log line, e.g. {@code "agent"}
     */
    public static void install(String process) {
        Thread.setDefaultUncaughtExceptionHandler(handler(process, code -> Runtime.getRuntime().halt(code)));
    }

    /**
     * The decision: an {@link Error} anywhere in the cause chain halts (an executor or a future often
     * wraps it), except {@link ThreadDeath}, the JDK's own signal that a thread was stopped on purpose.
     */
    @SuppressWarnings("removal")
    public static boolean halts(Throwable t) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            if (c instanceof Error && !(c instanceof ThreadDeath)) {
                return true;
            }
        }
        return false;
    }

    /** The handler {@link #install} sets, with the halt injected so that tests can watch the decision. */
    static Thread.UncaughtExceptionHandler handler(String process, IntConsumer halt) {
        return (thread, t) -> {
            boolean fatal = halts(t);
            try {
                if (fatal) {
                    // stderr too: with the heap exhausted the logger may be the next thing to fail.
                    System.err.println("meridian " + process + ": " + t + " in thread " + thread.getName()
                            + "; halting with exit code " + EXIT_CODE);
                    LOG.error("{} in thread {}: halting the {} with exit code {}", t, thread.getName(), process, EXIT_CODE, t);
                } else {
                    LOG.error("thread {} died: {}", thread.getName(), t.toString(), t);
                }
            } catch (Throwable logging) {
                // Nothing left to tell; the halt below matters more.
            } finally {
                if (fatal) {
                    halt.accept(EXIT_CODE);
                }
            }
        };
    }

    /**
     * Hands a fatal throwable that some framework caught (an executor's future, a Netty handler's
     * {@code exceptionCaught}) to the process's uncaught-exception handler, which halts once
     * {@link #install} ran. Does nothing for ordinary exceptions.
     */
    public static void escalate(Throwable t) {
        if (t == null || !halts(t)) {
            return;
        }
        Thread.UncaughtExceptionHandler h = Thread.getDefaultUncaughtExceptionHandler();
        if (h != null) {
            h.uncaughtException(Thread.currentThread(), t);
        } else {
            LOG.error("{} caught in thread {} (no process handler installed)", t, Thread.currentThread().getName(), t);
        }
    }

    /**
     * A single daemon thread for scheduled work. A {@link ScheduledThreadPoolExecutor} keeps whatever a
     * task throws inside its future, so an Error would silently end a periodic task (the etcd watch,
     * a lease renewal) and leave the process running without it; this one escalates it.
     */
    public static ScheduledExecutorService singleThreadScheduled(String threadName) {
        return new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        }) {
            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                super.afterExecute(r, t);
                escalate(t != null ? t : thrownBy(r));
            }
        };
    }

    /** What a finished {@link Future} task threw, or null (still periodic, cancelled, or fine). */
    public static Throwable thrownBy(Runnable r) {
        if (!(r instanceof Future<?> f) || !f.isDone()) {
            return null;
        }
        try {
            f.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
