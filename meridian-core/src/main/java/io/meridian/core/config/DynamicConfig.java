package io.meridian.core.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Cluster-wide settings kept in etcd at {@code /config}, the same for every agent, changed only by
 * compare-and-set through the CLI or REST API. Times are in seconds.
 *
 * <p>Defaults are chosen for clusters whose regions are up to 250 ms apart: a lease renewal is one
 * etcd round trip plus one Raft commit (≈ 2 × RTT = 0.5 s), so {@code retry_timeout} = 2 s leaves
 * room for three attempts, and {@code loop_wait + 2 × retry_timeout} = 5 s stays under the 6 s
 * {@code ttl}: a healthy primary never loses its lease between two renewals.
 *
 * <p>Every agent applies a change within one HA cycle: {@code ttl} to its etcd lease (a lease of the
 * new TTL replaces the old one and takes its keys, the leader key included), {@code retry_timeout}
 * to its next etcd call, {@code loop_wait} to its next wait. A node file's {@code bootstrap.dcs}
 * only seeds this record when a cluster is initialized.
 *
 * @param ttl                  leader lease lifetime: the TTL of every agent's etcd lease
 * @param loopWait             seconds between HA cycles
 * @param retryTimeout         how long one etcd call (all its round trips and retries) may take before it counts as failed
 * @param maximumLagOnFailover bytes a replica may be behind the last known leader position and still be promoted
 * @param primaryStartTimeout  seconds a crashed primary gets to come back before its agent gives up the lease
 * @param memberSlotsTtl       seconds the leader keeps the slot of a member that has gone away
 * @param paused               maintenance mode: agents take no automatic action
 * @param lagTolerance         bytes within the best candidate's position in which region preference may decide
 * @param regionPriority       regions in order of preference for the new primary
 * @param synchronousMode      {@code off}, {@code quorum} or {@code region_quorum}
 * @param synchronousNodeCount how many standbys must confirm each commit in quorum modes
 * @param synchronousStrict    refuse writes rather than fall back to async when too few standbys remain
 * @param failsafeMode         keep the primary running while etcd is unreachable but every member answers
 * @param catchupTimeout       seconds a preferred failover candidate that is behind (within
 *                             {@code lag_tolerance}) may stream the missing WAL from the most advanced
 *                             candidate before it promotes anyway; 0 promotes at once
 * @param parameters           PostgreSQL parameters applied on every node
 * @param routerWaitTimeout    seconds a new leader waits, before promoting, for every router that
 *                             publishes its applied revision to follow it; 0 turns the wait off
 * @param etcdLeaderPlacement  {@code other_region}: the PostgreSQL leader hands etcd's Raft
 *                             leadership to a member outside its region, so losing that region
 *                             never costs an etcd election on top of the failover; {@code any}
 *                             leaves etcd's leader where etcd puts it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DynamicConfig(
        @JsonProperty("ttl") double ttl,
        @JsonProperty("loop_wait") double loopWait,
        @JsonProperty("retry_timeout") double retryTimeout,
        @JsonProperty("maximum_lag_on_failover") long maximumLagOnFailover,
        @JsonProperty("primary_start_timeout") double primaryStartTimeout,
        @JsonProperty("member_slots_ttl") double memberSlotsTtl,
        @JsonProperty("paused") boolean paused,
        @JsonProperty("lag_tolerance") long lagTolerance,
        @JsonProperty("region_priority") List<String> regionPriority,
        @JsonProperty("synchronous_mode") String synchronousMode,
        @JsonProperty("synchronous_node_count") int synchronousNodeCount,
        @JsonProperty("synchronous_strict") boolean synchronousStrict,
        @JsonProperty("failsafe_mode") boolean failsafeMode,
        @JsonProperty("catchup_timeout") double catchupTimeout,
        @JsonProperty("parameters") Map<String, String> parameters,
        @JsonProperty("router_wait_timeout") double routerWaitTimeout,
        @JsonProperty("etcd_leader_placement") String etcdLeaderPlacement) {

    /**
     * 10 s of catch-up: lag_tolerance is meant for a few transactions of asynchronous lag, which a
     * standby streams in well under a second even across an ocean; the bound only matters when the
     * most advanced node is slow or half-reachable, and it adds to the write outage.
     */
    public static final double DEFAULT_CATCHUP_TIMEOUT = 10;

    public static final String OTHER_REGION = "other_region";
    public static final String ANY = "any";

    public static final DynamicConfig DEFAULTS = new DynamicConfig(
            6, 1, 2, 1024L * 1024, 3, 1800, false, 0, List.of(), "off", 1, false, false,
            DEFAULT_CATCHUP_TIMEOUT, Map.of(), 0, OTHER_REGION);

    /** The settings before {@code catchup_timeout}, {@code router_wait_timeout} and {@code etcd_leader_placement}: their defaults. */
    public DynamicConfig(double ttl, double loopWait, double retryTimeout, long maximumLagOnFailover,
                         double primaryStartTimeout, double memberSlotsTtl, boolean paused, long lagTolerance,
                         List<String> regionPriority, String synchronousMode, int synchronousNodeCount,
                         boolean synchronousStrict, boolean failsafeMode, Map<String, String> parameters) {
        this(ttl, loopWait, retryTimeout, maximumLagOnFailover, primaryStartTimeout, memberSlotsTtl, paused,
                lagTolerance, regionPriority, synchronousMode, synchronousNodeCount, synchronousStrict, failsafeMode,
                DEFAULT_CATCHUP_TIMEOUT, parameters, 0, OTHER_REGION);
    }

    /** The settings before {@code etcd_leader_placement}: its default. */
    public DynamicConfig(double ttl, double loopWait, double retryTimeout, long maximumLagOnFailover,
                         double primaryStartTimeout, double memberSlotsTtl, boolean paused, long lagTolerance,
                         List<String> regionPriority, String synchronousMode, int synchronousNodeCount,
                         boolean synchronousStrict, boolean failsafeMode, double catchupTimeout,
                         Map<String, String> parameters, double routerWaitTimeout) {
        this(ttl, loopWait, retryTimeout, maximumLagOnFailover, primaryStartTimeout, memberSlotsTtl, paused,
                lagTolerance, regionPriority, synchronousMode, synchronousNodeCount, synchronousStrict, failsafeMode,
                catchupTimeout, parameters, routerWaitTimeout, OTHER_REGION);
    }

    public DynamicConfig {
        regionPriority = regionPriority == null ? List.of() : List.copyOf(regionPriority);
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        synchronousMode = synchronousMode == null ? "off" : synchronousMode;
        etcdLeaderPlacement = etcdLeaderPlacement == null ? OTHER_REGION : etcdLeaderPlacement;
    }

    public long ttlMillis() {
        return Math.round(ttl * 1000);
    }

    public long loopWaitMillis() {
        return Math.round(loopWait * 1000);
    }

    public long retryTimeoutMillis() {
        return Math.round(retryTimeout * 1000);
    }

    public long catchupTimeoutMillis() {
        return Math.round(catchupTimeout * 1000);
    }

    public long routerWaitTimeoutMillis() {
        return Math.round(routerWaitTimeout * 1000);
    }

    public DynamicConfig withPaused(boolean value) {
        return new DynamicConfig(ttl, loopWait, retryTimeout, maximumLagOnFailover, primaryStartTimeout,
                memberSlotsTtl, value, lagTolerance, regionPriority, synchronousMode, synchronousNodeCount,
                synchronousStrict, failsafeMode, catchupTimeout, parameters, routerWaitTimeout, etcdLeaderPlacement);
    }
}
