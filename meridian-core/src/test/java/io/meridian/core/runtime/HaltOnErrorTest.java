package io.meridian.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which throwables end the process, and that they do in a real JVM, from a thread and from an executor. */
class HaltOnErrorTest {

    @SuppressWarnings("removal")
    static List<Arguments> cases() {
        return List.of(
                Arguments.of("01 out of memory", new OutOfMemoryError("Java heap space"), true),
                Arguments.of("02 stack overflow", new StackOverflowError(), true),
                Arguments.of("03 missing class", new NoClassDefFoundError("io/meridian/Gone"), true),
                Arguments.of("04 internal error", new InternalError("bad"), true),
                Arguments.of("05 failed assertion", new AssertionError("invariant"), true),
                Arguments.of("06 error wrapped by a future", new ExecutionException(new OutOfMemoryError()), true),
                Arguments.of("07 error wrapped twice", new CompletionException(new RuntimeException(new StackOverflowError())), true),
                Arguments.of("08 runtime exception", new IllegalStateException("etcd unreachable"), false),
                Arguments.of("09 checked exception", new IOException("reset"), false),
                Arguments.of("10 wrapped checked exception", new UncheckedIOException(new IOException("reset")), false),
                Arguments.of("11 deliberate thread stop", new ThreadDeath(), false),
                Arguments.of("12 interrupted", new InterruptedException(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decision(String name, Throwable t, boolean halts) {
        assertThat(HaltOnError.halts(t)).isEqualTo(halts);
        List<Integer> codes = new ArrayList<>();
        HaltOnError.handler("test", codes::add).uncaughtException(Thread.currentThread(), t);
        assertThat(codes).isEqualTo(halts ? List.of(HaltOnError.EXIT_CODE) : List.of());
    }

    @Test
    void aCauseCycleEnds() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertThat(HaltOnError.halts(a)).isFalse();
    }

    @Test
    void scheduledExecutorEscalatesWhatItsFutureWouldSwallow() throws Exception {
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        List<Throwable> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.setDefaultUncaughtExceptionHandler((th, t) -> seen.add(t));
        ScheduledExecutorService ex = HaltOnError.singleThreadScheduled("halt-test");
        try {
            ex.scheduleWithFixedDelay(() -> {
                throw new StackOverflowError("periodic");
            }, 0, 10, TimeUnit.MILLISECONDS);
            ex.submit(() -> {
                throw new IllegalStateException("ordinary");
            });
            ex.submit(() -> {
                throw new AssertionError("submitted");
            });
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> seen.size() >= 2);
            assertThat(seen).extracting(Throwable::getMessage).containsExactlyInAnyOrder("periodic", "submitted");
        } finally {
            ex.shutdownNow();
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }

    @Test
    void anErrorInAThreadEndsTheProcess() throws Exception {
        assertThat(runChild("thread")).isEqualTo(HaltOnError.EXIT_CODE);
    }

    @Test
    void anErrorInAScheduledTaskEndsTheProcess() throws Exception {
        assertThat(runChild("scheduled")).isEqualTo(HaltOnError.EXIT_CODE);
    }

    @Test
    void anExceptionInAThreadDoesNot() throws Exception {
        assertThat(runChild("exception")).isEqualTo(0);
    }

    /** A JVM on this test's classpath running {@link Child}; its exit code. */
    private static int runChild(String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), mode).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child (" + mode + ") still running after 60 s: the Error did not end it");
        }
        return p.exitValue();
    }

    /** Installs the handler, throws in a non-main thread, then would live for a minute. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            HaltOnError.install("test child");
            switch (args[0]) {
                case "thread" -> new Thread(() -> {
                    throw new StackOverflowError("from a worker");
                }, "worker").start();
                case "scheduled" -> HaltOnError.singleThreadScheduled("worker").schedule(() -> {
                    throw new NoClassDefFoundError("io/meridian/Gone");
                }, 10, TimeUnit.MILLISECONDS);
                case "exception" -> {
                    Thread t = new Thread(() -> {
                        throw new IllegalStateException("only this thread");
                    }, "worker");
                    t.start();
                    t.join();
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
            Thread.sleep(60_000); // the test's timeout, not a wait for a condition
            System.exit(0);
        }
    }
}
