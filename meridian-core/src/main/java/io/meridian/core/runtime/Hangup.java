package io.meridian.core.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP as a reload, the way nginx, PgBouncer, PostgreSQL and Patroni use it, for the agent and the
 * router ({@code systemctl reload}: {@code ExecReload=/bin/kill -HUP $MAINPID}). Through
 * {@code sun.misc.Signal} (jdk.unsupported), the only signal API the JDK has.
 */
public final class Hangup {

    private static final Logger LOG = LoggerFactory.getLogger(Hangup.class);

    private Hangup() {
    }

    /**
     * Runs {@code reload} on each SIGHUP; what it throws is logged, and the process runs on.
     *
     * @param otherWay how to reload when the signal cannot be used, for the warning (e.g. "POST /reload")
     * @return whether the handler is installed
     */
    public static boolean onHangup(String otherWay, Runnable reload) {
        if (ignored()) {
            LOG.warn("SIGHUP is ignored in this process (started under nohup?), and the JVM cannot take it back: {}", otherWay);
            return false;
        }
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                try {
                    reload.run();
                } catch (RuntimeException e) {
                    LOG.error("reload failed, settings unchanged: {}", e.toString());
                }
            });
            return true;
        } catch (IllegalArgumentException e) {
            LOG.warn("SIGHUP is not available here ({}); {}", e.getMessage(), otherWay);
            return false;
        }
    }

    /**
     * True when this process inherited SIGHUP as ignored ({@code SigIgn} in /proc/self/status), as
     * under nohup: the JVM then installs no handler and {@code Signal.handle} silently does nothing.
     */
    public static boolean ignored() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & 1L) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or an unexpected format: assume the signal can be handled
        }
        return false;
    }
}
