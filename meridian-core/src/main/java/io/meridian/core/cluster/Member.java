package io.meridian.core.cluster;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One node as its agent last published it in {@code /members/<name>} (refreshed every cycle,
 * bound to the agent's lease so it vanishes when the agent dies).
 *
 * @param name             node name, unique in the cluster
 * @param region           region label, e.g. {@code paris}
 * @param role             primary, replica or unknown
 * @param state            PostgreSQL state: {@code running}, {@code starting}, {@code stopped},
 *                         {@code crashed}, {@code bootstrapping}, {@code rewinding} …
 * @param timeline         PostgreSQL timeline the node is on (0 when unknown)
 * @param writeLsn         on a primary, {@code pg_current_wal_lsn()}; else zero
 * @param receiveLsn       on a replica, last WAL position received and flushed from the primary
 * @param replayLsn        on a replica, last WAL position replayed
 * @param replicationState on a replica, {@code streaming} when its WAL receiver is connected
 * @param replayLagSeconds seconds since the last replayed transaction committed on the primary,
 *                         or -1 when unknown
 * @param host             PostgreSQL connect address
 * @param port             PostgreSQL connect port
 * @param apiUrl           base URL of the agent's REST API
 * @param tags             node tags
 * @param updatedAtMillis  wall clock of the agent when it wrote this record
 * @param etcdMember       its agent's own region's etcd member, the first of its endpoints
 *                         (hexadecimal id), or null when unknown
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Member(
        String name,
        String region,
        Role role,
        String state,
        long timeline,
        @JsonProperty("write_lsn") Lsn writeLsn,
        @JsonProperty("receive_lsn") Lsn receiveLsn,
        @JsonProperty("replay_lsn") Lsn replayLsn,
        @JsonProperty("replication_state") String replicationState,
        @JsonProperty("replay_lag_seconds") double replayLagSeconds,
        String host,
        int port,
        @JsonProperty("api_url") String apiUrl,
        MemberTags tags,
        @JsonProperty("updated_at") long updatedAtMillis,
        @JsonProperty("etcd_member") String etcdMember,
        @JsonProperty("wal_receiver_error") String walReceiverError) {

    /** A record without a WAL receiver error. */
    public Member(String name, String region, Role role, String state, long timeline, Lsn writeLsn, Lsn receiveLsn,
                  Lsn replayLsn, String replicationState, double replayLagSeconds, String host, int port, String apiUrl,
                  MemberTags tags, long updatedAtMillis, String etcdMember) {
        this(name, region, role, state, timeline, writeLsn, receiveLsn, replayLsn, replicationState, replayLagSeconds,
                host, port, apiUrl, tags, updatedAtMillis, etcdMember, null);
    }

    /** A record without the etcd member it talks to. */
    public Member(String name, String region, Role role, String state, long timeline, Lsn writeLsn, Lsn receiveLsn,
                  Lsn replayLsn, String replicationState, double replayLagSeconds, String host, int port, String apiUrl,
                  MemberTags tags, long updatedAtMillis) {
        this(name, region, role, state, timeline, writeLsn, receiveLsn, replayLsn, replicationState, replayLagSeconds,
                host, port, apiUrl, tags, updatedAtMillis, null);
    }

    public Member {
        writeLsn = writeLsn == null ? Lsn.ZERO : writeLsn;
        receiveLsn = receiveLsn == null ? Lsn.ZERO : receiveLsn;
        replayLsn = replayLsn == null ? Lsn.ZERO : replayLsn;
        tags = tags == null ? MemberTags.DEFAULT : tags;
        role = role == null ? Role.UNKNOWN : role;
    }

    /** The furthest WAL position this member is known to hold. */
    @JsonIgnore
    public Lsn lsn() {
        return role == Role.PRIMARY ? writeLsn : Lsn.max(receiveLsn, replayLsn);
    }

    @JsonIgnore
    public boolean isRunning() {
        return "running".equals(state) || "streaming".equals(state);
    }

    @JsonIgnore
    public boolean isStreaming() {
        return "streaming".equals(replicationState);
    }

    @JsonIgnore
    public String hostPort() {
        return host + ":" + port;
    }
}
