package io.meridian.agent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Operator actions that touch PostgreSQL (restart, reinitialize) are queued here by the REST API
 * and carried out by the HA loop thread at the start of its next cycle, so that only one thread
 * ever drives PostgreSQL.
 */
final class OperatorTasks {

    enum Kind { RESTART, REINITIALIZE, RELOAD }

    record Task(Kind kind, CompletableFuture<String> result) {
    }

    private final ConcurrentLinkedQueue<Task> queue = new ConcurrentLinkedQueue<>();
    private final Runnable wake;

    OperatorTasks(Runnable wake) {
        this.wake = wake;
    }

    CompletableFuture<String> submit(Kind kind) {
        Task t = new Task(kind, new CompletableFuture<>());
        queue.add(t);
        wake.run();
        return t.result();
    }

    Task poll() {
        return queue.poll();
    }
}
