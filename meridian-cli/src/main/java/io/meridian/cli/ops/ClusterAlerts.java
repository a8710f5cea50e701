package io.meridian.cli.ops;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The alerts {@code meridian status} shows, computed from the cluster record with the seed's
 * thresholds (warning over 100 MB or 10 s, critical over 1 GB or 60 s, retained WAL over 10 GB).
 * The Prometheus rules in {@code deploy/} use the same numbers.
 */
public final class ClusterAlerts {

    static final long CRITICAL_BYTES = 1024 * Lag.MB;
    static final double CRITICAL_SECONDS = 60;
    static final long RETAINED_WAL_BYTES = 10 * 1024 * Lag.MB;

    private ClusterAlerts() {
    }

    public static List<String> of(Cluster c) {
        List<String> out = new ArrayList<>();
        if (!c.hasLeader()) {
            out.add("critical: no leader");
        } else if (c.leaderMember().isEmpty()) {
            out.add("critical: leader " + c.leader().name() + " has no live member key");
        }
        for (Member m : c.members()) {
            if (c.isLeader(m.name())) {
                continue;
            }
            long bytes = Lag.bytesBehind(c, m);
            double secs = m.replayLagSeconds();
            if (c.hasLeader() && !m.isStreaming()) {
                out.add("warning: " + m.name() + " is not streaming (" + MemberTable.state(m) + ")");
            }
            if (bytes > CRITICAL_BYTES || secs > CRITICAL_SECONDS) {
                out.add("critical: " + m.name() + " lags " + Lag.human(bytes) + ", " + LagReport.fmt(secs) + " s");
            } else if (bytes > LagReport.WARN_BYTES || secs > LagReport.WARN_SECONDS) {
                out.add("warning: " + m.name() + " lags " + Lag.human(bytes) + ", " + LagReport.fmt(secs) + " s");
            }
        }
        Lsn leader = Lag.leaderPosition(c);
        for (Map.Entry<String, Lsn> slot : c.status().slots().entrySet()) {
            long retained = leader.bytesAfter(slot.getValue());
            if (retained > RETAINED_WAL_BYTES) {
                out.add("warning: slot " + slot.getKey() + " retains " + Lag.human(retained) + " of WAL");
            }
        }
        if (!"off".equals(c.config().synchronousMode()) && c.sync().members().size() < c.config().synchronousNodeCount()) {
            out.add("warning: synchronous set " + c.sync().members() + " has fewer than "
                    + c.config().synchronousNodeCount() + " standby(s)");
        }
        return out;
    }
}
