package io.meridian.core.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What one router published under {@code routers/<name>}: the cluster state it has applied. Written
 * by the router only after its read-write sessions to any other server are closed, so a router at
 * {@code revision >=} a leader key's revision that names that leader sends writes nowhere else.
 *
 * @param router    router name (the key's last segment)
 * @param region    the router's region
 * @param revision  etcd revision of the cluster record whose leader the router follows
 * @param leader    the leader it follows, or null when it saw none
 * @param updatedAt when the router wrote the key (ISO-8601, the router's clock; informational)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RouterState(
        @JsonProperty("router") String router,
        @JsonProperty("region") String region,
        @JsonProperty("revision") long revision,
        @JsonProperty("leader") String leader,
        @JsonProperty("updated_at") String updatedAt) {

    /** True when this router follows {@code member} as of {@code leaderRevision} or later. */
    public boolean follows(String member, long leaderRevision) {
        return member.equals(leader) && revision >= leaderRevision;
    }

    public RouterState withRouter(String name) {
        return new RouterState(name, region, revision, leader, updatedAt);
    }
}
