package io.meridian.lab.drill;

/**
 * Where a worker connects next: a fixed DSN (HAProxy, the router, one node) or whoever etcd names
 * leader. Asked on every new connection, and after every write, so that a worker can leave a
 * server that is no longer the target.
 */
public interface WriteTarget extends AutoCloseable {

    /** The server to connect to now; null when there is none yet (no leader): the worker waits. */
    Dsn current();

    /**
     * Called after each failed connection, so a list of DSNs can move on to its next entry.
     *
     * @param failed the DSN that failed
     */
    default void failed(Dsn failed) {
    }

    /** True when a worker connected to {@code connectedTo} should drop it: that server is no longer the target. */
    default boolean abandon(Dsn connectedTo) {
        return false;
    }

    @Override
    default void close() {
    }
}
