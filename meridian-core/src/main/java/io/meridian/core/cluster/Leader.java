package io.meridian.core.cluster;

/**
 * The leader key: who leads, bound to that agent's lease.
 *
 * @param name     member name of the leader
 * @param revision etcd mod revision of the key; a new revision means a new election or a renewal
 * @param leaseId  etcd lease the key is attached to (0 if none)
 */
public record Leader(String name, long revision, long leaseId) {
}
