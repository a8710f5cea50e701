package io.meridian.core.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Per-node tags from the node's file, published in its member key.
 *
 * @param noFailover       never promote this node automatically or by switchover
 * @param failoverPriority higher wins among equally advanced candidates; 0 also means never
 *                         (Patroni's meaning), so the default is 1
 * @param noLoadBalance    keep read traffic away from this node
 */
public record MemberTags(
        @JsonProperty("nofailover") boolean noFailover,
        @JsonProperty("failover_priority") int failoverPriority,
        @JsonProperty("noloadbalance") boolean noLoadBalance) {

    public static final MemberTags DEFAULT = new MemberTags(false, 1, false);

    /** A node tagged nofailover, or with failover_priority 0, never becomes leader on its own. */
    public boolean promotable() {
        return !noFailover && failoverPriority > 0;
    }
}
