package io.meridian.core.cluster;

import io.meridian.core.config.DynamicConfig;
import java.util.List;
import java.util.Optional;

/**
 * Everything etcd holds about one cluster, read in one request so every field belongs to the
 * same etcd revision. Agent, router, CLI and dashboard all read this record; nobody mutates it.
 *
 * @param name          cluster name (the etcd key prefix is {@code /meridian/<name>/})
 * @param revision      etcd revision the record was read at
 * @param systemId      PostgreSQL system identifier from {@code /initialize}, or null before bootstrap;
 *                      the literal {@code "initializing"} while the winner of the race runs initdb
 * @param config        dynamic configuration (defaults when the key is missing)
 * @param configVersion mod revision of {@code /config}, for compare-and-set (0 when missing)
 * @param leader        the leader key, or null when nobody leads
 * @param members       members whose agents are alive, sorted by name
 * @param status        what the leader last wrote to {@code /status}
 * @param switchover    a pending switchover or failover request, or null
 * @param switchoverVersion mod revision of {@code /failover} (0 when missing)
 * @param sync          synchronous replication set
 * @param syncVersion   mod revision of {@code /sync} (0 when missing)
 * @param history       leadership changes, oldest first
 * @param configError   why the value of {@code /config} did not decode, or null when it did (or is missing
 *                      before bootstrap); {@code config} is then the last valid one this process read
 * @param configValidVersion mod revision of the {@code /config} value {@code config} was decoded from:
 *                      {@code configVersion} when valid, an older one when an invalid value is ignored,
 *                      0 when none was ever read (then {@code config} holds the defaults, paused)
 */
public record Cluster(
        String name,
        long revision,
        String systemId,
        DynamicConfig config,
        long configVersion,
        Leader leader,
        List<Member> members,
        ClusterStatus status,
        SwitchoverRequest switchover,
        long switchoverVersion,
        SyncState sync,
        long syncVersion,
        List<TimelineEvent> history,
        String configError,
        long configValidVersion) {

    public static final String INITIALIZING = "initializing";

    /**
     * The placeholder a node writes while it runs initdb, naming itself: a node whose claim
     * succeeded in etcd but whose answer was lost (a timeout) recognises its own claim.
     */
    public static String initializingBy(String member) {
        return INITIALIZING + ":" + member;
    }

    public Cluster {
        config = config == null ? DynamicConfig.DEFAULTS : config;
        members = members == null ? List.of() : List.copyOf(members);
        status = status == null ? ClusterStatus.EMPTY : status;
        sync = sync == null ? SyncState.EMPTY : sync;
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** A record whose {@code /config} decoded (or is absent): {@code config} is what etcd holds. */
    public Cluster(String name, long revision, String systemId, DynamicConfig config, long configVersion, Leader leader,
                   List<Member> members, ClusterStatus status, SwitchoverRequest switchover, long switchoverVersion,
                   SyncState sync, long syncVersion, List<TimelineEvent> history) {
        this(name, revision, systemId, config, configVersion, leader, members, status, switchover, switchoverVersion,
                sync, syncVersion, history, null, configVersion);
    }

    /** True when {@code /config} decoded; false when {@link #config()} is a last valid one or the paused defaults. */
    public boolean configValid() {
        return configError == null;
    }

    public Optional<Member> member(String memberName) {
        return members.stream().filter(m -> m.name().equals(memberName)).findFirst();
    }

    public boolean hasLeader() {
        return leader != null;
    }

    public boolean isLeader(String memberName) {
        return leader != null && leader.name().equals(memberName);
    }

    /** The leader's member record, when there is a leader and its agent is alive. */
    public Optional<Member> leaderMember() {
        return leader == null ? Optional.empty() : member(leader.name());
    }

    public boolean isInitialized() {
        return systemId != null && !systemId.startsWith(INITIALIZING);
    }

    /** Timeline of the newest promotion recorded, or 1 before any. */
    public long lastTimeline() {
        return history.isEmpty() ? 1 : history.get(history.size() - 1).timeline();
    }
}
