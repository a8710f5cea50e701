package io.meridian.core.postgres;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.LostTransactions;
import io.meridian.core.cluster.Member;
import io.meridian.core.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves what an old primary committed past its fork before pg_rewind throws it away: a copy of
 * the WAL segments from the fork to the end of its WAL, and {@code summary.json} (every commit's xid
 * and time, the relations changed) from pg_waldump run on that copy. The folder is
 * {@code <lost_transactions_dir>/<UTC time>-tl<old>-to-tl<new>/}, outside the data directory,
 * which pg_rewind and pg_basebackup rewrite.
 */
final class LostTransactionsFolder {

    private static final Logger LOG = LoggerFactory.getLogger(LostTransactionsFolder.class);
    private static final Pattern SEGMENT = Pattern.compile("([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** PostgreSQL's FirstNormalObjectId: file numbers below it belong to initdb's catalogs. */
    private static final long FIRST_NORMAL_OBJECT_ID = 16384;
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final NodeConfig.Postgres pg;
    private final NodeFiles files;
    private final OsUser os;
    private final PgCommand command;

    LostTransactionsFolder(NodeConfig.Postgres pg, NodeFiles files, OsUser os, PgCommand command) {
        this.pg = pg;
        this.files = files;
        this.os = os;
        this.command = command;
    }

    /**
     * Copies and summarises the WAL past {@code fork}. With no commit in it (a shutdown checkpoint,
     * aborted work) the copy is removed again and the record has no folder.
     */
    LostTransactions save(String member, Member leader, DivergenceCheck.Fork fork) throws PostgresException {
        Instant now = Instant.now();
        Path folder = pg.lostTransactionsDir().resolve(STAMP.format(now) + "-tl" + fork.ourTli() + "-to-tl" + fork.toTli());
        List<String> segments;
        try {
            os.createPrivateDir(pg.lostTransactionsDir());
            os.createPrivateDir(folder);
            segments = copySegments(fork, folder);
        } catch (IOException e) {
            throw new PostgresException("saving the WAL past the fork at " + fork.at() + " into " + folder + ": "
                    + e.getMessage(), e);
        }
        WaldumpCommits dump = new WaldumpCommits();
        PgCommand.Result r = command.withEnv("TZ", "UTC").run(List.of(pg.bin("pg_waldump").toString(),
                "-p", folder.toString(), "-t", Long.toString(fork.ourTli()), "-s", fork.at().toString()),
                Duration.ofMinutes(10), dump);
        if (dump.lastLsn() == null && !r.ok()) {
            LOG.warn("pg_waldump read no record of the saved WAL in {}: {}", folder, r.output());
        }
        List<WaldumpCommits.Commit> commits = dump.commits();
        if (commits.isEmpty()) {
            deleteQuietly(folder);
            return record(member, fork, dump.lastLsn(), commits, List.of(), null, now);
        }
        Map<String, String> names = new RelfilenodeNames(pg).resolve(leader, dump.relations());
        List<String> tables = new ArrayList<>();
        boolean catalogs = false;
        List<Map<String, Object>> relations = new ArrayList<>();
        for (WaldumpCommits.RelFile rel : dump.relations()) {
            String name = names.get(rel.key());
            // The short list names what users look for; DDL's catalog rows are one entry (all in summary.json).
            if (rel.relfilenode() < FIRST_NORMAL_OBJECT_ID || (name != null && name.startsWith("pg_"))) {
                catalogs = true;
            } else {
                tables.add(name != null ? name : rel.key() + (rel.createdInWal() ? " (created after the fork)" : ""));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("spc", rel.spc());
            m.put("db", rel.db());
            m.put("relfilenode", rel.relfilenode());
            m.put("name", name);
            m.put("created_after_fork", rel.createdInWal());
            relations.add(m);
        }
        if (catalogs) {
            tables.add("system catalogs (DDL)");
        }
        LostTransactions lost = record(member, fork, dump.lastLsn(), commits, tables, folder, now);
        writeSummary(folder, lost, leader, commits, relations, segments);
        return lost;
    }

    private List<String> copySegments(DivergenceCheck.Fork fork, Path folder) throws IOException {
        Path walDir = files.data().resolve("pg_wal");
        List<Path> all;
        try (Stream<Path> s = Files.list(walDir)) {
            all = s.filter(p -> SEGMENT.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
        List<String> copied = new ArrayList<>();
        for (Path p : all) {
            Matcher m = SEGMENT.matcher(p.getFileName().toString());
            if (!m.matches() || Long.parseLong(m.group(1), 16) != fork.ourTli()) {
                continue;
            }
            long segSize = Files.size(p);
            long perLog = 0x1_0000_0000L / segSize;
            long segno = Long.parseLong(m.group(2), 16) * perLog + Long.parseLong(m.group(3), 16);
            // Recycled segments past the end hold old WAL under new names: worth nothing, 16 MB each.
            if (segno < fork.at().value() / segSize || (fork.end() != null && segno > fork.end().value() / segSize)) {
                continue;
            }
            Path to = folder.resolve(p.getFileName());
            Files.copy(p, to);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-------"));
            os.own(to);
            copied.add(p.getFileName().toString());
        }
        return copied;
    }

    private static LostTransactions record(String member, DivergenceCheck.Fork fork, Lsn last,
                                           List<WaldumpCommits.Commit> commits, List<String> tables, Path folder,
                                           Instant now) {
        WaldumpCommits.Commit first = commits.isEmpty() ? null : commits.get(0);
        WaldumpCommits.Commit lastCommit = commits.isEmpty() ? null : commits.get(commits.size() - 1);
        return new LostTransactions(member, fork.ourTli(), fork.toTli(), fork.at(), last == null ? fork.end() : last,
                commits.size(), first == null ? 0 : first.xid(), lastCommit == null ? 0 : lastCommit.xid(),
                millis(first), millis(lastCommit), tables, folder == null ? null : folder.toString(), now.toEpochMilli());
    }

    private static long millis(WaldumpCommits.Commit c) {
        return c == null || c.at() == null ? 0 : c.at().toEpochMilli();
    }

    private void writeSummary(Path folder, LostTransactions lost, Member leader, List<WaldumpCommits.Commit> commits,
                              List<Map<String, Object>> relations, List<String> segments) throws PostgresException {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("member", lost.member());
        s.put("leader", leader.name());
        s.put("from_timeline", lost.fromTimeline());
        s.put("to_timeline", lost.toTimeline());
        s.put("fork", lost.fork().toString());
        s.put("last_record", lost.end() == null ? null : lost.end().toString());
        s.put("saved_at", Instant.ofEpochMilli(lost.atMillis()).toString());
        s.put("commits", commits.size());
        s.put("xids", commits.stream().map(WaldumpCommits.Commit::xid).toList());
        s.put("first_commit_at", commits.get(0).at() == null ? null : commits.get(0).at().toString());
        WaldumpCommits.Commit last = commits.get(commits.size() - 1);
        s.put("last_commit_at", last.at() == null ? null : last.at().toString());
        s.put("relations", relations);
        s.put("segments", segments);
        s.put("waldump", "pg_waldump -p " + folder + " -t " + lost.fromTimeline() + " -s " + lost.fork());
        try {
            os.writeFile(folder.resolve("summary.json"), JSON.writeValueAsString(s) + "\n", "rw-------");
        } catch (IOException e) {
            throw new PostgresException("writing " + folder.resolve("summary.json") + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path folder) {
        try {
            DataDirectory.deleteTree(folder);
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", folder, e.getMessage());
        }
    }
}
