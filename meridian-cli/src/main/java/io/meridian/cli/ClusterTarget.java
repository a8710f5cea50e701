package io.meridian.cli;

import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.EtcdDcs;
import java.util.List;

/**
 * Which cluster a command talks to and how: etcd endpoints, key namespace, cluster name, and the
 * REST credentials for the agents' mutating endpoints (null when unknown).
 *
 * @param source where the settings came from, named in errors ("node.yml", "lab /tmp/meridian-lab")
 */
public record ClusterTarget(List<String> endpoints, String namespace, String cluster, String restUser,
                            String restPassword, String source) {

    /** etcd answers within this; a CLI should fail fast, not hang on a dead endpoint. */
    private static final double RETRY_TIMEOUT_SECONDS = 5;

    public ClusterTarget {
        endpoints = List.copyOf(endpoints);
    }

    /** A read-only DCS session (no lease, no member key): enough to load and to compare-and-set. */
    public Dcs openDcs() {
        try {
            return EtcdDcs.connect(endpoints, namespace, cluster, null, 6, RETRY_TIMEOUT_SECONDS);
        } catch (IllegalArgumentException e) {
            throw new CliException("etcd " + String.join(",", endpoints) + " (from " + source + "): " + e.getMessage(), e);
        }
    }

    public boolean hasRestCredentials() {
        return restUser != null && restPassword != null;
    }

    @Override
    public String toString() {
        return "ClusterTarget[" + cluster + " at " + endpoints + ", from " + source + "]";
    }
}
