package io.meridian.core.postgres;

import io.meridian.core.cluster.Lsn;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A timeline history file ({@code pg_wal/<TLI>.history}): for every ancestor timeline, the WAL
 * position where it ended and the next began. Plus the rule that decides whether a node must be
 * rewound before it can follow a leader.
 */
record TimelineHistory(List<Entry> entries) {

    /** Timeline {@code tli} ended at {@code switchpoint}; WAL before it is shared with its successors. */
    record Entry(long tli, Lsn switchpoint) {
    }

    /** The decision and why, for the log. */
    record Verdict(boolean diverged, String reason) {
    }

    static TimelineHistory parse(String text) {
        List<Entry> out = new ArrayList<>();
        if (text != null) {
            for (String line : text.split("\n")) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] f = t.split("\\s+");
                if (f.length >= 2) {
                    out.add(new Entry(Long.parseLong(f[0]), Lsn.parse(f[1])));
                }
            }
        }
        return new TimelineHistory(List.copyOf(out));
    }

    /** Where {@code tli} ended in this history, or null when it is not an ancestor. */
    Lsn switchpoint(long tli) {
        return entries.stream().filter(e -> e.tli == tli).map(Entry::switchpoint).findFirst().orElse(null);
    }

    /** Where the newest timeline of this history began (its last entry's switchpoint). */
    Lsn start() {
        return entries.isEmpty() ? Lsn.ZERO : entries.get(entries.size() - 1).switchpoint();
    }

    /** The timeline the newest one forked from (its last entry), 1 for an empty history. */
    long parent() {
        return entries.isEmpty() ? 1 : entries.get(entries.size() - 1).tli();
    }

    private static final Pattern WALDUMP_NO_SEGMENT = Pattern.compile("could not find file \"[0-9A-F]{24}\"");

    /** pg_waldump stopped because the first segment it needed is not there: no WAL on that timeline. */
    static boolean noSegment(String output) {
        return WALDUMP_NO_SEGMENT.matcher(output).find();
    }

    private static final Pattern WALDUMP_END =
            Pattern.compile("error in WAL record at [0-9A-F]+/[0-9A-F]+: (?:invalid record length|record with incorrect prev-link [0-9A-F]+/[0-9A-F]+|incorrect resource manager data checksum in record|invalid record offset) at ([0-9A-F]+/[0-9A-F]+)");

    /** End of valid WAL from pg_waldump's closing complaint ("invalid record length at 0/1741900"), else null. */
    static Lsn waldumpEnd(String output) {
        Matcher m = WALDUMP_END.matcher(output);
        Lsn end = null;
        while (m.find()) {
            end = Lsn.parse(m.group(1));
        }
        return end;
    }

    /**
     * Whether a node whose WAL ends at {@code ourEnd} on timeline {@code ourTli} has history the leader
     * lacks. The rule:
     * <ol>
     *   <li>end of our WAL unknown: diverged (unsure; pg_rewind is a no-op when not needed);</li>
     *   <li>our timeline is newer than the leader's: diverged;</li>
     *   <li>same timeline: diverged when our own history of it differs from the leader's (two nodes
     *       promoted to the same timeline number) or our WAL goes past the leader's position;</li>
     *   <li>older timeline: diverged unless it is in the leader's ancestry and our WAL ends at or
     *       before the point where the leader's history left it.</li>
     * </ol>
     */
    static Verdict decide(long ourTli, Lsn ourEnd, String ourHistory, long leaderTli, Lsn leaderLsn,
                          String leaderHistory) {
        if (ourEnd == null) {
            return new Verdict(true, "end of local WAL on timeline " + ourTli + " unknown; rewinding to be safe");
        }
        if (ourTli > leaderTli) {
            return new Verdict(true, "local timeline " + ourTli + " is newer than the leader's " + leaderTli);
        }
        if (ourTli == leaderTli) {
            if (ourHistory != null && leaderHistory != null
                    && !parse(ourHistory).entries().equals(parse(leaderHistory).entries())) {
                return new Verdict(true, "timeline " + ourTli + " was created twice: local history differs from the leader's");
            }
            if (ourEnd.isAfter(leaderLsn)) {
                return new Verdict(true, "local WAL ends at " + ourEnd + ", past the leader's " + leaderLsn + " on timeline " + ourTli);
            }
            return new Verdict(false, "same timeline " + ourTli + ", local WAL ends at " + ourEnd + " <= leader's " + leaderLsn);
        }
        if (leaderHistory == null) {
            return new Verdict(true, "leader's history of timeline " + leaderTli + " unreadable");
        }
        Lsn fork = parse(leaderHistory).switchpoint(ourTli);
        if (fork == null) {
            return new Verdict(true, "local timeline " + ourTli + " is not in the leader's history of timeline " + leaderTli);
        }
        if (ourEnd.isAfter(fork)) {
            return new Verdict(true, "local WAL on timeline " + ourTli + " ends at " + ourEnd + ", past the leader's fork at " + fork);
        }
        return new Verdict(false, "local WAL ends at " + ourEnd + " <= fork of timeline " + ourTli + " at " + fork);
    }
}
