package io.meridian.core.plan;

/**
 * The deployments {@code meridian plan --compare} puts side by side, one node per region as the
 * seed's bill counts them.
 */
public enum Topology {
    /** One primary in the leader's region; a region loss is a restore from backup. */
    SINGLE_REGION("single region", false, SyncMode.OFF),
    /** The leader streams to one standby in each other region, commits do not wait for them. */
    THREE_REGION_ASYNC("3-region async", true, SyncMode.OFF),
    /** Same streams, each commit waits for the nearest other region ({@code docs/regions.md}). */
    THREE_REGION_QUORUM("3-region region_quorum", true, SyncMode.REGION_QUORUM),
    /** One cluster per region, each writing its own data; only shared tables travel, logically. */
    REGIONAL_LOGICAL("regional clusters + logical replication", false, SyncMode.OFF),
    /** A second cluster in another region replicating the first; promoted by hand. */
    STANDBY_CLUSTER("standby cluster", true, SyncMode.OFF);

    private final String label;
    private final boolean physicalStreams;
    private final SyncMode commitMode;

    Topology(String label, boolean physicalStreams, SyncMode commitMode) {
        this.label = label;
        this.physicalStreams = physicalStreams;
        this.commitMode = commitMode;
    }

    public String label() {
        return label;
    }

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** True when the whole WAL crosses regions (physical streaming), false for none or only shared tables. */
    public boolean physicalStreams() {
        return physicalStreams;
    }

    public SyncMode commitMode() {
        return commitMode;
    }

    /** Nodes billed, given the cluster spans {@code regions} regions (3 in the seed). */
    public int nodes(int regions) {
        return switch (this) {
            case SINGLE_REGION -> 1;
            case STANDBY_CLUSTER -> 2;
            default -> regions;
        };
    }

    /** Inter-region streams leaving the writer(s): the links whose transfer is billed. */
    public int links(int regions) {
        return switch (this) {
            case SINGLE_REGION -> 0;
            case STANDBY_CLUSTER -> 1;
            // Each regional primary publishes the shared tables it writes to the others; summed over
            // the regions that is (regions − 1) copies of the shared tables' change stream.
            default -> regions - 1;
        };
    }
}
