package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;

/** How far a member is behind, as the CLI shows it: against the live leader, else its last report. */
public final class Lag {

    public static final long MB = 1024L * 1024;

    private Lag() {
    }

    /** The position replicas are measured against: the live leader's WAL, else {@code /status}. */
    public static Lsn leaderPosition(Cluster c) {
        Lsn reported = c.status().leaderLsn();
        return c.leaderMember().map(m -> Lsn.max(m.writeLsn(), reported)).orElse(reported);
    }

    /** Bytes of WAL the member has not received, 0 for the leader, -1 when unknown. */
    public static long bytesBehind(Cluster c, Member m) {
        if (c.isLeader(m.name()) || m.role() == Role.PRIMARY) {
            return 0;
        }
        Lsn leader = leaderPosition(c);
        if (leader.equals(Lsn.ZERO) || m.lsn().equals(Lsn.ZERO)) {
            return -1;
        }
        return leader.bytesAfter(m.lsn());
    }

    /** Whole megabytes, rounded down like patronictl, or null when unknown. */
    public static Long megabytes(long bytes) {
        return bytes < 0 ? null : bytes / MB;
    }

    /** "12 MB", "512 kB", "0" — short and exact enough for a terminal. */
    public static String human(long bytes) {
        if (bytes < 0) {
            return "unknown";
        }
        if (bytes == 0) {
            return "0";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < MB) {
            return (bytes / 1024) + " kB";
        }
        if (bytes < 1024 * MB) {
            return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / (double) MB);
        }
        return String.format(java.util.Locale.ROOT, "%.2f GB", bytes / (double) (1024 * MB));
    }

    /** The member's replay delay in seconds as text, or blank when it does not apply. */
    public static String seconds(Cluster c, Member m) {
        if (c.isLeader(m.name()) || m.replayLagSeconds() < 0) {
            return "";
        }
        return String.format(java.util.Locale.ROOT, "%.1f", m.replayLagSeconds());
    }

    /** Leader first, then the rest by region and name: the order every view lists members in. */
    public static java.util.Comparator<Member> leaderFirst(Cluster c) {
        return java.util.Comparator.<Member, Boolean>comparing(m -> !c.isLeader(m.name()))
                .thenComparing(m -> m.region() == null ? "" : m.region())
                .thenComparing(Member::name);
    }
}
