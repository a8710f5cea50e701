package io.meridian.core.dcs;

/**
 * The last time etcd confirmed this agent's lease: which lease, when the confirming request left
 * (local {@link System#nanoTime()}), and the TTL etcd itself reported for it. etcd restarts the
 * lease's countdown only once it receives the request, so {@code sentNanos + grantedTtlMillis} is
 * the earliest moment etcd can expire the lease and delete the keys bound to it: the basis of the
 * fence, whatever TTL the configuration asks for.
 *
 * @param leaseId          etcd's lease id
 * @param sentNanos        when the grant or keepalive that etcd answered was sent
 * @param grantedTtlMillis the TTL in etcd's answer (a grant's or a keepalive's), in milliseconds
 */
public record LeaseRenewal(long leaseId, long sentNanos, long grantedTtlMillis) {

    /** The {@link System#nanoTime()} before which etcd cannot expire the lease. */
    public long earliestExpiryNanos() {
        return sentNanos + grantedTtlMillis * 1_000_000L;
    }
}
