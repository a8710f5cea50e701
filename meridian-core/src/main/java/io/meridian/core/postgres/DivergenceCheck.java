package io.meridian.core.postgres;

import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers the facts for {@link TimelineHistory#decide}: where this stopped node's WAL ends and on
 * which timeline (control file, local history files, pg_waldump), and the leader's timeline,
 * position and history (SQL as superuser).
 */
final class DivergenceCheck {

    private static final Logger LOG = LoggerFactory.getLogger(DivergenceCheck.class);
    private static final Pattern HISTORY_FILE = Pattern.compile("([0-9A-F]{8})\\.history");

    private final NodeConfig.Postgres pg;
    private final NodeFiles files;
    private final PgCommand command;

    DivergenceCheck(NodeConfig.Postgres pg, NodeFiles files, PgCommand command) {
        this.pg = pg;
        this.files = files;
        this.command = command;
    }

    /**
     * Where this node's history left the leader's, for saving what it committed past that point
     * before pg_rewind: null when its WAL does not go past the leader's fork of its timeline, or
     * when the fork cannot be told (same or newer timeline, or histories that do not descend).
     */
    Fork fork(Member leader, ControlData control) throws PostgresException {
        Facts f = gather(leader, control);
        if (f.leaderInRecovery() || f.ourTli() >= f.leaderTli() || f.leaderHistory() == null) {
            return null;
        }
        TimelineHistory leaderHistory = TimelineHistory.parse(f.leaderHistory());
        Lsn at = leaderHistory.switchpoint(f.ourTli());
        if (at == null || (f.ourEnd() != null && !f.ourEnd().isAfter(at))) {
            return null;
        }
        // The timeline that left ours: the next one in the leader's history, or the leader's own.
        long next = f.leaderTli();
        List<TimelineHistory.Entry> entries = leaderHistory.entries();
        for (int i = 0; i < entries.size() - 1; i++) {
            if (entries.get(i).tli() == f.ourTli()) {
                next = entries.get(i + 1).tli();
            }
        }
        return new Fork(f.ourTli(), next, at, f.ourEnd());
    }

    /**
     * Our WAL on timeline {@code ourTli} goes on past {@code at}, where timeline {@code toTli} left it.
     *
     * @param end the end of our WAL, or null when pg_waldump could not tell
     */
    record Fork(long ourTli, long toTli, Lsn at, Lsn end) {
    }

    /** What {@link TimelineHistory#decide} needs, read from this stopped node and the leader. */
    private record Facts(long ourTli, Lsn ourEnd, String ourHistory, boolean leaderInRecovery, long leaderTli,
                         Lsn leaderLsn, String leaderHistory) {
    }

    boolean check(Member leader, ControlData control) throws PostgresException {
        Facts f = gather(leader, control);
        if (f.leaderInRecovery()) {
            LOG.info("divergence check: leader {} is in recovery; assuming diverged", leader.name());
            return true;
        }
        TimelineHistory.Verdict v = TimelineHistory.decide(f.ourTli(), f.ourEnd(), f.ourHistory(), f.leaderTli(),
                f.leaderLsn(), f.leaderHistory());
        LOG.info("divergence check of {} against {}: {} ({})", files.data(), leader.name(),
                v.diverged() ? "diverged" : "not diverged", v.reason());
        return v.diverged();
    }

    private Facts gather(Member leader, ControlData control) throws PostgresException {
        Path walDir = files.data().resolve("pg_wal");
        // The control file's timeline lags a promotion until the next checkpoint; the newest local
        // history file does not (PostgreSQL writes it when the timeline begins).
        long controlTli = Math.max(control.checkpointTli(), control.minRecoveryTli());
        long ourTli = Math.max(controlTli, newestHistory(walDir));
        String ourHistory;
        Lsn ourEnd;
        while (true) {
            ourHistory = ourTli > 1 ? readQuietly(walDir.resolve(historyName(ourTli))) : null;
            Lsn from = control.checkpointLsn();
            if (ourTli != control.checkpointTli() && ourHistory != null) {
                // The checkpoint lies on an older timeline; read our timeline from where it began.
                from = Lsn.max(from, TimelineHistory.parse(ourHistory).start());
            }
            String out = waldump(walDir, ourTli, from);
            ourEnd = TimelineHistory.waldumpEnd(out);
            if (ourEnd == null && ourTli > controlTli && ourHistory != null && TimelineHistory.noSegment(out)) {
                // A standby's WAL receiver fetches the history of its upstream's new timeline before
                // it streams any WAL on it: without a single segment of that timeline, our WAL
                // ends on the timeline it forked from.
                long parent = TimelineHistory.parse(ourHistory).parent();
                LOG.info("no local WAL on timeline {} (only its history file); reading timeline {}", ourTli, parent);
                ourTli = parent;
                continue;
            }
            if (ourEnd == null) {
                LOG.info("pg_waldump found no end of WAL on timeline {} from {}: {}", ourTli, from, out);
            }
            break;
        }
        if (ourEnd == null && control.cleanPrimaryShutdown() && ourTli == control.checkpointTli()) {
            // The shutdown checkpoint is the last record: it ends past the fork iff it starts at or after it.
            ourEnd = new Lsn(control.checkpointLsn().value() + 1);
        }

        long leaderTli;
        Lsn leaderLsn;
        String leaderHistory;
        try (Connection c = PgConnect.open(leader.host(), leader.port(), pg.superuser(), 5, 30, pg.tls());
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return new Facts(ourTli, ourEnd, ourHistory, true, 0, null, null);
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))"
                    + "::bit(32)::bigint, pg_current_wal_lsn()::text")) {
                rs.next();
                leaderTli = rs.getLong(1);
                leaderLsn = Lsn.parse(rs.getString(2));
            }
            leaderHistory = leaderTli > 1 ? readHistory(c, leaderTli) : "";
        } catch (SQLException e) {
            throw new PostgresException("divergence check: cannot query leader " + leader.name() + " at "
                    + leader.hostPort() + ": " + e.getMessage(), e);
        }
        return new Facts(ourTli, ourEnd, ourHistory, false, leaderTli, leaderLsn, leaderHistory);
    }

    /** pg_waldump's output over our WAL on {@code tli} from {@code from}. */
    private String waldump(Path walDir, long tli, Lsn from) throws PostgresException {
        return command.run(List.of(pg.bin("pg_waldump").toString(), "-q", "-p", walDir.toString(),
                "-t", Long.toString(tli), "-s", from.toString()), Duration.ofSeconds(60)).output();
    }

    private static String readHistory(Connection c, long tli) {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_read_file(?)")) {
            ps.setString(1, "pg_wal/" + historyName(tli));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            return null; // decide() treats an unreadable history as divergence
        }
    }

    private static long newestHistory(Path walDir) {
        try (var s = Files.list(walDir)) {
            return s.map(p -> HISTORY_FILE.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches).mapToLong(m -> Long.parseLong(m.group(1), 16)).max().orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }

    static String historyName(long tli) {
        return String.format("%08X.history", tli);
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return null;
        }
    }
}
