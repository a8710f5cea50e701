package io.meridian.lab.drill;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.core.console.CliException;
import io.meridian.core.console.JsonOutput;
import io.meridian.core.console.OutputFormat;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meridian write-probe}: the drill's write load on its own, for any PostgreSQL endpoint
 * (HAProxy, the router, a node) or whoever etcd names leader; one JSON line per attempt, then a
 * summary, and optionally which acknowledged writes a server is missing.
 */
@Command(name = "write-probe", description = "Write acknowledged rows one at a time per worker; log every attempt; check for lost writes.")
public final class WriteProbeCommand implements Callable<Integer> {

    @Option(names = "--dsn", paramLabel = "DSN", description = "Where to write (libpq key=value, postgresql:// or jdbc:postgresql://); "
            + "repeat for a list tried in turn. Passwords come from passfile=, $PGPASSFILE, ~/.pgpass or $PGPASSWORD.")
    List<String> dsns = new ArrayList<>();

    @Option(names = "--follow-etcd", description = "Write to whoever etcd names leader (the lab, or the cluster of -c node.yml).")
    boolean followEtcd;

    @Option(names = {"-c", "--config"}, description = "With --follow-etcd: a node file for etcd and the superuser.")
    Path config;

    @Option(names = "--lab-dir", description = "With --follow-etcd and no -c: the lab folder (default: $MERIDIAN_LAB_DIR or /tmp/meridian-lab).")
    Path labDir;

    @Option(names = "--duration", required = true, description = "Seconds to write.")
    double duration;

    @Option(names = "--concurrency", defaultValue = "1", description = "Workers, each with one write at a time (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--out", paramLabel = "FILE.jsonl", description = "One JSON line per attempt: id, worker, start_ns, end_ns, ok, server, error.")
    Path out;

    @Option(names = "--verify-dsn", paramLabel = "DSN", description = "After writing, list acknowledged writes this server does not hold (repeatable).")
    List<String> verifyDsns = new ArrayList<>();

    @Option(names = {"-f", "--format"}, defaultValue = "pretty", description = "Summary as pretty or json (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    @Spec
    CommandSpec spec;

    /** What a probe run amounts to; times in seconds. */
    public record Summary(long attempts, long acknowledged, long failed, @JsonProperty("longest_gap_seconds") Double longestGapSeconds,
                          @JsonProperty("longest_gap_start_ns") Long longestGapStartNs,
                          @JsonProperty("servers") Map<String, Long> acksByServer,
                          @JsonProperty("missing") Map<String, List<Long>> missingByDsn) {
    }

    @Override
    public Integer call() throws Exception {
        if (!(duration > 0)) {
            throw new CliException("--duration: expected a positive number of seconds, got " + duration);
        }
        if (concurrency < 1) {
            throw new CliException("--concurrency: expected at least 1, got " + concurrency);
        }
        if (!followEtcd && dsns.isEmpty()) {
            throw new CliException("give --dsn DSN (repeatable) or --follow-etcd");
        }
        List<Dsn> parsed = dsns.stream().map(Dsn::parse).toList();
        List<Dsn> verify = verifyDsns.stream().map(Dsn::parse).toList();
        WriteTarget target = followEtcd ? leaderTarget(parsed) : new FixedTargets(parsed);
        ObjectMapper json = new ObjectMapper();
        BufferedWriter file = out == null ? null : Files.newBufferedWriter(out);
        WriteLoad load = new WriteLoad(target, concurrency, "write-probe", file == null ? null : a -> {
            synchronized (file) {
                try {
                    file.write(json.writeValueAsString(a));
                    file.newLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(out + ": cannot be written", e);
                }
            }
        });
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        // Ctrl-C ends the run early but still prints the summary: the hook holds the exit until then.
        Thread hook = new Thread(() -> {
            interrupted.countDown();
            try {
                done.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try (target) {
            load.start();
            interrupted.await(Math.round(duration * 1000), TimeUnit.MILLISECONDS);
            load.stop();
        } finally {
            if (file != null) {
                synchronized (file) {
                    file.close();
                }
            }
        }
        Summary s;
        try {
            s = summarize(load, verify);
            PrintWriter o = spec.commandLine().getOut();
            o.println(format == OutputFormat.json ? JsonOutput.write(s) : render(s));
            o.flush();
        } finally {
            done.countDown();
        }
        return s.missingByDsn().values().stream().allMatch(List::isEmpty) ? 0 : 2;
    }

    private WriteTarget leaderTarget(List<Dsn> parsed) {
        ClusterAccess access = config != null ? ClusterAccess.ofNodeFile(config) : ClusterAccess.ofLab(labDir);
        if (!parsed.isEmpty()) {
            access = access.withTemplate(parsed.get(0));
        }
        return new LeaderTarget(access.openDcs(), access::dsnOf);
    }

    static Summary summarize(WriteLoad load, List<Dsn> verify) throws SQLException {
        List<WriteAttempt> all = load.attempts();
        long acked = all.stream().filter(WriteAttempt::ok).count();
        var gap = AckTimeline.longestGap(all);
        Map<String, Long> byServer = new LinkedHashMap<>();
        all.stream().filter(WriteAttempt::ok).forEach(a -> byServer.merge(String.valueOf(a.server()), 1L, Long::sum));
        Map<String, List<Long>> missing = new LinkedHashMap<>();
        long[] ids = load.ackedIds();
        for (Dsn d : verify) {
            missing.put(d.toString(), java.util.Arrays.stream(AckedRows.missing(d, ids)).boxed().toList());
        }
        return new Summary(all.size(), acked, all.size() - acked, gap.map(AckTimeline.Gap::seconds).orElse(null),
                gap.map(AckTimeline.Gap::fromNs).orElse(null), byServer, missing);
    }

    static String render(Summary s) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("attempts %d, acknowledged %d, failed %d%n", s.attempts(), s.acknowledged(), s.failed()));
        if (s.longestGapSeconds() != null) {
            b.append(String.format("longest gap between acknowledged writes: %.3f s%n", s.longestGapSeconds()));
        }
        s.acksByServer().forEach((k, v) -> b.append("  acknowledged by ").append(k).append(": ").append(v).append('\n'));
        s.missingByDsn().forEach((k, v) -> b.append("missing on ").append(k).append(": ").append(v.size())
                .append(v.isEmpty() ? "" : " " + (v.size() > 20 ? v.subList(0, 20) + "…" : v)).append('\n'));
        return b.toString().stripTrailing();
    }
}
