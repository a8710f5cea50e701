package io.meridian.agent;

import io.meridian.agent.rest.RestartRequest;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * At most one restart scheduled by {@code POST /restart} with a {@code schedule}, as Patroni keeps
 * one: a second is refused (409) until the first ran or {@code DELETE /restart} cancelled it. Held
 * in this agent's memory, so an agent restart forgets it (Patroni keeps it in its member key).
 */
final class RestartSchedule implements AutoCloseable {

    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "scheduled-restart");
        t.setDaemon(true);
        return t;
    });
    private RestartRequest pending; // guarded by this
    private ScheduledFuture<?> future; // guarded by this

    RestartSchedule(Clock clock) {
        this.clock = clock;
    }

    /** Runs {@code restart} with the request at its time; false when another restart is already scheduled. */
    synchronized boolean schedule(RestartRequest request, Consumer<RestartRequest> restart) {
        if (pending != null) {
            return false;
        }
        pending = request;
        long delay = Math.max(0, request.schedule().toEpochMilli() - clock.millis());
        future = timer.schedule(() -> {
            synchronized (this) {
                if (pending != request) {
                    return; // cancelled meanwhile
                }
                pending = null;
                future = null;
            }
            restart.accept(request);
        }, delay, TimeUnit.MILLISECONDS);
        return true;
    }

    /** Cancels the scheduled restart; false when none was scheduled. */
    synchronized boolean cancel() {
        if (pending == null) {
            return false;
        }
        future.cancel(false);
        pending = null;
        future = null;
        return true;
    }

    /** The scheduled restart as {@code /patroni} lists it, or null. */
    synchronized Map<String, Object> describe() {
        return pending == null ? null : pending.describe();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
