package io.meridian.core.postgres;

import io.meridian.core.cluster.Lsn;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code pg_waldump}'s text output line by line (it can be millions of lines, so nothing but
 * the summary is kept) and collects what a lost stretch of WAL committed: every top-level
 * {@code COMMIT} record with its xid and time, and the relations the heap records of those
 * transactions (their subtransactions included) changed. Aborted and unfinished transactions are
 * not counted: nobody was told they committed.
 *
 * <p>Not thread-safe; one instance per pg_waldump run.
 */
final class WaldumpCommits implements Consumer<String> {

    /** One committed transaction: its xid and its COMMIT record's time as pg_waldump printed it. */
    record Commit(long xid, Lsn lsn, Instant at) {
    }

    /**
     * A relation as WAL names it: tablespace, database and relfilenode OIDs.
     *
     * @param createdInWal its file was created within the dumped WAL (so another node's catalog
     *                     may give the same number to a different relation)
     */
    record RelFile(long spc, long db, long relfilenode, boolean createdInWal) {
        String key() {
            return spc + "/" + db + "/" + relfilenode;
        }
    }

    // rmgr: Heap        len (rec/tot):     62/    62, tx:        725, lsn: 0/01529850, prev 0/01529198, desc: INSERT+INIT ...
    private static final Pattern RECORD = Pattern.compile(
            "^rmgr: (\\S+)\\s+len \\(rec/tot\\):\\s*\\d+/\\s*\\d+, tx:\\s*(\\d+), lsn: ([0-9A-F]+/[0-9A-F]+), prev [0-9A-F]+/[0-9A-F]+, desc: (.*)$");
    private static final Pattern COMMIT = Pattern.compile(
            "^COMMIT (\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?) ([A-Za-z0-9+:_/-]+)(.*)$");
    private static final Pattern SUBXACTS = Pattern.compile("subxacts:((?: \\d+)+)");
    private static final Pattern BLOCK_REF = Pattern.compile("rel (\\d+)/(\\d+)/(\\d+)");
    // Storage CREATE base/5/16395, pg_tblspc/16400/PG_15_202209061/5/16401, global/16402
    private static final Pattern CREATE = Pattern.compile(
            "^CREATE (?:base/(\\d+)/(\\d+)|pg_tblspc/(\\d+)/[^/]+/(\\d+)/(\\d+)|global/(\\d+))");
    private static final DateTimeFormatter TIME = new java.time.format.DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(java.time.temporal.ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .toFormatter();
    private static final long DEFAULT_TABLESPACE = 1663;
    private static final long GLOBAL_TABLESPACE = 1664;

    private final List<Commit> commits = new ArrayList<>();
    /** Relations changed by heap records, per xid, until that xid commits or is forgotten. */
    private final Map<Long, Set<String>> touched = new HashMap<>();
    private final Set<String> committedRelations = new TreeSet<>();
    private final Set<String> created = new HashSet<>();
    private Lsn lastLsn;

    @Override
    public void accept(String line) {
        Matcher m = RECORD.matcher(line);
        if (!m.matches()) {
            return; // pg_waldump's closing complaint, or a line from another tool
        }
        String rmgr = m.group(1);
        long xid = Long.parseLong(m.group(2));
        Lsn lsn = Lsn.parse(m.group(3));
        String desc = m.group(4);
        lastLsn = lsn;
        switch (rmgr) {
            case "Heap", "Heap2" -> {
                if (xid != 0) {
                    Matcher b = BLOCK_REF.matcher(desc);
                    while (b.find()) {
                        touched.computeIfAbsent(xid, x -> new HashSet<>())
                                .add(b.group(1) + "/" + b.group(2) + "/" + b.group(3));
                    }
                }
            }
            case "Storage" -> created(desc);
            case "Transaction" -> transaction(xid, lsn, desc);
            default -> {
                // Indexes, sequences, checkpoints: not what a reader of the summary looks for.
            }
        }
    }

    private void transaction(long xid, Lsn lsn, String desc) {
        Matcher c = COMMIT.matcher(desc);
        if (c.matches()) {
            commits.add(new Commit(xid, lsn, instant(c.group(1), c.group(2))));
            take(xid);
            Matcher s = SUBXACTS.matcher(c.group(3));
            if (s.find()) {
                for (String sub : s.group(1).trim().split(" ")) {
                    take(Long.parseLong(sub));
                }
            }
        } else if (desc.startsWith("ABORT")) {
            touched.remove(xid);
        }
    }

    private void take(long xid) {
        Set<String> rels = touched.remove(xid);
        if (rels != null) {
            committedRelations.addAll(rels);
        }
    }

    private void created(String desc) {
        Matcher c = CREATE.matcher(desc);
        if (!c.find()) {
            return;
        }
        if (c.group(1) != null) {
            created.add(DEFAULT_TABLESPACE + "/" + c.group(1) + "/" + c.group(2));
        } else if (c.group(3) != null) {
            created.add(c.group(3) + "/" + c.group(4) + "/" + c.group(5));
        } else {
            created.add(GLOBAL_TABLESPACE + "/0/" + c.group(6));
        }
    }

    /** pg_waldump prints times in its own time zone (the agent runs it with TZ=UTC); null when unreadable. */
    static Instant instant(String local, String zone) {
        try {
            LocalDateTime t = LocalDateTime.parse(local, TIME);
            ZoneId z = switch (zone) {
                case "UTC", "GMT", "Z" -> ZoneOffset.UTC;
                default -> zone.matches("[+-]\\d{2}(:?\\d{2})?") ? ZoneOffset.of(zone) : ZoneId.of(zone, ZoneId.SHORT_IDS);
            };
            return t.atZone(z).toInstant();
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** Top-level commits in WAL order. */
    List<Commit> commits() {
        return List.copyOf(commits);
    }

    /** Relations changed by committed transactions, as {@code spc/db/relfilenode}, each flagged if created in this WAL. */
    List<RelFile> relations() {
        List<RelFile> out = new ArrayList<>();
        for (String key : committedRelations) {
            String[] f = key.split("/");
            out.add(new RelFile(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), created.contains(key)));
        }
        return out;
    }

    /** Start of the last record read, or null when pg_waldump printed none. */
    Lsn lastLsn() {
        return lastLsn;
    }
}
