package io.meridian.core.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The synchronous replication set in {@code /sync}: which standbys the leader counts in
 * {@code synchronous_standby_names}. Only a member listed here may take over while synchronous
 * replication is on.
 *
 * @param leader  the leader that wrote it
 * @param members standbys in the synchronous set
 * @param quorum  how many of them must confirm a commit
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SyncState(String leader, List<String> members, int quorum) {

    public static final SyncState EMPTY = new SyncState(null, List.of(), 0);

    public SyncState {
        members = members == null ? List.of() : List.copyOf(members);
    }
}
