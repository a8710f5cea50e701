package io.meridian.core.console;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;

/**
 * The words a member's role and state are shown with, in {@code meridian list} and in the lab's
 * status and waits alike: one wording, whichever command prints it.
 */
public final class MemberLabels {

    private MemberLabels() {
    }

    /** Patroni's role words, so scripts written against patronictl keep matching. */
    public static String role(Cluster c, Member m) {
        if (c.isLeader(m.name())) {
            return "Leader";
        }
        if (m.role() == Role.PRIMARY) {
            return "Primary";
        }
        if (m.role() == Role.REPLICA && c.sync().members().contains(m.name())) {
            return "Sync Standby";
        }
        return m.role().label();
    }

    /**
     * A running replica shows whether WAL reaches it, with Patroni 3's words: {@code streaming} when its
     * WAL receiver is connected, else {@code in archive recovery} (replaying only what it has), never
     * {@code running}, which hid a replica that could not authenticate for as long as it stayed so.
     */
    public static String state(Member m) {
        if (m.role() == Role.REPLICA && m.isRunning()) {
            return m.isStreaming() ? "streaming" : "in archive recovery";
        }
        return m.state() == null ? "unknown" : m.state();
    }
}
