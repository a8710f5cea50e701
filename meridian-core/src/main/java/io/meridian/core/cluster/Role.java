package io.meridian.core.cluster;

/** What a member's PostgreSQL is doing, as its agent last saw it. */
public enum Role {
    /** Holds the leader key and runs PostgreSQL read-write. */
    PRIMARY,
    /** Runs PostgreSQL in recovery, following the leader. */
    REPLICA,
    /** PostgreSQL is not running or not yet known. */
    UNKNOWN;

    public String label() {
        return switch (this) {
            case PRIMARY -> "Leader";
            case REPLICA -> "Replica";
            case UNKNOWN -> "Unknown";
        };
    }
}
