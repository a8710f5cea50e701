package io.meridian.core.dcs;

import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The retry-timeout budget of one public {@link Dcs} call. A call may take several etcd round
 * trips (keepalive, then a transaction); they share one deadline so the whole call ends within the
 * retry timeout, as the contract promises, instead of each step getting its own. They also share
 * one client: the one current when the call began (see {@link EtcdEndpoints}), told how each ended.
 */
final class CallDeadline {

    private final EtcdEndpoints endpoints;
    private final EtcdEndpoints.Connection connection;
    private final long timeoutNanos;
    private final long deadline;

    CallDeadline(EtcdEndpoints endpoints, long timeoutNanos) {
        this.endpoints = endpoints;
        this.connection = endpoints.current();
        this.timeoutNanos = timeoutNanos;
        this.deadline = System.nanoTime() + timeoutNanos;
    }

    KV kv() {
        return connection.kv();
    }

    Lease lease() {
        return connection.lease();
    }

    EtcdEndpoints.Connection connection() {
        return connection;
    }

    /**
     * Waits for one etcd request within what is left of the budget. On timeout the request is
     * cancelled so jetcd's own retries stop too.
     */
    <T> T await(CompletableFuture<T> future, String what) throws DcsException {
        long left = deadline - System.nanoTime();
        try {
            T result = future.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            endpoints.answered(connection);
            return result;
        } catch (TimeoutException e) {
            future.cancel(true);
            endpoints.failed(connection, null);
            throw new DcsException("etcd at " + connection.member() + " did not answer " + what + " within "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms (retry_timeout)", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            endpoints.failed(connection, cause);
            throw new DcsException("etcd at " + connection.member() + " failed " + what + ": " + cause.getMessage(), cause);
        } catch (CancellationException e) {
            throw new DcsException("etcd request " + what + " was cancelled (client closing?)", e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new DcsException("interrupted while waiting for etcd to answer " + what, e);
        }
    }
}
