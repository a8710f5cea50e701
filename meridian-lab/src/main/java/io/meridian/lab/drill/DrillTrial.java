package io.meridian.lab.drill;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.dcs.Dcs;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One trial, top to bottom: wait for a healthy cluster, start the write load, let it run a little,
 * inject the fault, wait for a write acknowledged by the (new) leader, let it settle, stop the
 * load, count lost and split-brain writes, then undo the fault and wait for health again.
 *
 * <p>Beside the load that follows etcd's leader (as the router or a smart client does), one
 * writer stays connected straight to the old leader's PostgreSQL and is never re-targeted: the
 * client configured with one host, or with pgjdbc's host list, whose commits an old primary can
 * still acknowledge after another node was promoted. Its split-brain writes are counted apart.
 *
 * @param settle  how long the load keeps running after recovery (late split-brain writes, catch-up)
 * @param timeout how long to wait for recovery after the fault
 * @param freeze  how long freeze-agent keeps the agent stopped
 */
record DrillTrial(Scenario scenario, String arg, ClusterAccess access, Dcs dcs, List<String> nodes, int concurrency,
                  Duration settle, Duration timeout, Duration freeze, PrintWriter progress) {

    /** Writes before the fault, so the chart and the gap figures have a baseline. */
    static final Duration WARMUP = Duration.ofSeconds(2);
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(240);

    /**
     * @param done receives the trial's figures before the fault is undone, so they survive a
     *             cluster that does not come back
     * @throws io.meridian.core.console.CliException when the cluster is not healthy before, or after the restore
     */
    void run(int trial, java.util.function.Consumer<TrialResult> done) throws InterruptedException {
        say("trial %d: waiting for a healthy cluster", trial);
        Cluster before = leaderInNamedRegion(trial, ClusterHealth.await(dcs, nodes, HEALTH_TIMEOUT));
        Member oldLeader = before.leaderMember().orElseThrow();
        Fault fault = Fault.choose(scenario, arg, before, access, freeze);
        boolean hitsLeader = fault.nodes().contains(oldLeader.name()) || oldLeader.region().equals(fault.region())
                || scenario == Scenario.SWITCHOVER;
        boolean expectNewLeader = scenario.movesLeader() && hitsLeader;

        LeaderTarget target = new LeaderTarget(access.openDcs(fault.region()), access::dsnOf);
        WriteLoad main = new WriteLoad(target, concurrency, "drill", null).start();
        // Clients connected straight to the old leader (across a partition: those in the cut-off
        // region) are the ones that see split-brain writes: one writes there, with one fixed DSN.
        WriteLoad stranded = new WriteLoad(new FixedTargets(List.of(access.dsnOf(oldLeader))), 1, "drill-direct", null).start();
        String error = null;
        long faultNs = 0;
        long faultMs = 0;
        CompletableFuture<Void> thawed = null;
        try {
            long started = System.nanoTime();
            while (main.ackCount() == 0) {
                if (System.nanoTime() - started > Duration.ofSeconds(90).toNanos()) {
                    throw new IllegalStateException("no write was acknowledged within 90 s before the fault");
                }
                Thread.sleep(20);
            }
            // Counted from the first acknowledgement: cold connections can take seconds on a busy machine.
            Thread.sleep(WARMUP.toMillis());
            say("trial %d: %s (leader %s in %s, %d writes acknowledged so far)", trial, fault.describe(),
                    oldLeader.name(), oldLeader.region(), main.ackCount());
            faultNs = ProbeClock.nowNanos();
            try {
                faultNs = fault.inject(before, access);
                if (scenario == Scenario.FREEZE_AGENT) {
                    // On its own timer: the agent resumes after the freeze whether or not a replica took over by then.
                    thawed = CompletableFuture.runAsync(() -> fault.thaw(access),
                            CompletableFuture.delayedExecutor(freeze.toMillis(), TimeUnit.MILLISECONDS));
                }
            } catch (RuntimeException e) {
                // A refused or timed-out switchover can still have stopped writes: measure what follows.
                error = e.getMessage();
            }
            faultMs = faultNs / 1_000_000L;
            Optional<WriteAttempt> first = awaitRecovery(target, main, faultNs, oldLeader.name(), expectNewLeader, hitsLeader);
            if (first.isEmpty()) {
                error = (error == null ? "" : error + "; ") + "no write acknowledged by " + (expectNewLeader ? "a new leader" : "the leader")
                        + " within " + timeout.toSeconds() + " s of the fault";
            } else {
                say("trial %d: writes acknowledged again after %.2f s by %s", trial, (first.get().endNs() - faultNs) / 1e9,
                        first.get().server());
                if (thawed != null) {
                    // What the old primary acknowledges until its agent wakes up (and after) belongs to the trial.
                    thawed.get(Math.max(0, fault.endsNs(faultNs) - ProbeClock.nowNanos()) + 10_000_000_000L,
                            TimeUnit.NANOSECONDS);
                    say("trial %d: the agent of %s resumed after %d s", trial, oldLeader.name(), freeze.toSeconds());
                }
                Thread.sleep(settle.toMillis());
            }
        } catch (RuntimeException | ExecutionException | TimeoutException e) {
            error = e.getMessage();
        } finally {
            // Never leave an agent stopped behind an error: SIGCONT again is harmless.
            fault.thaw(access);
            main.stop();
            stranded.stop();
            target.close();
        }
        done.accept(measure(trial, fault, oldLeader, main, stranded, faultNs, faultMs, error));
        say("trial %d: restoring (%s)", trial, scenario);
        fault.restore(access);
        ClusterHealth.await(dcs, nodes, HEALTH_TIMEOUT);
    }

    /**
     * {@code region-outage paris} and {@code partition paris} are about losing the leader's region:
     * when an earlier trial left the leader elsewhere, a switchover (not measured) first brings it
     * back to a streaming replica of the named region.
     */
    private Cluster leaderInNamedRegion(int trial, Cluster c) throws InterruptedException {
        if (arg == null || (scenario != Scenario.REGION_OUTAGE && scenario != Scenario.PARTITION)) {
            return c;
        }
        Member leader = c.leaderMember().orElseThrow();
        if (leader.region().equals(arg)) {
            return c;
        }
        Member candidate = Fault.bestReplica(c, m -> m.region().equals(arg)).orElse(null);
        if (candidate == null) {
            say("trial %d: the leader %s is in %s and no streaming replica of %s can take over; the trial cuts %s as it is",
                    trial, leader.name(), leader.region(), arg, arg);
            return c;
        }
        say("trial %d: the leader %s is in %s; switchover to %s first, so the trial loses the leader's region",
                trial, leader.name(), leader.region(), candidate.name());
        long deadline = System.nanoTime() + HEALTH_TIMEOUT.toNanos();
        while (true) {
            try {
                new Fault(Scenario.SWITCHOVER, List.of(), null, candidate.name(), false).inject(c, access);
                break;
            } catch (io.meridian.core.console.CliException e) {
                // Refused while the leader has not yet seen the restarted node answer: ask again.
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(1000);
                c = ClusterHealth.await(dcs, nodes, HEALTH_TIMEOUT);
            }
        }
        while (true) {
            Cluster now = ClusterHealth.await(dcs, nodes, HEALTH_TIMEOUT);
            if (now.leaderMember().map(m -> m.region().equals(arg)).orElse(false)) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new io.meridian.core.console.CliException("switchover to " + candidate.name() + " did not move the leader to "
                        + arg + " within " + HEALTH_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(250);
        }
    }

    /**
     * The first write after the fault acknowledged by the server etcd names leader: a new one when
     * the leader should move; when it stays (crash-postgres), one sent after writes began to fail,
     * since a backend outlives its killed postmaster for a moment and may still acknowledge one.
     */
    private Optional<WriteAttempt> awaitRecovery(LeaderTarget target, WriteLoad main, long faultNs, String oldLeader,
            boolean expectNewLeader, boolean hitsLeader) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Cluster c = target.cluster();
            if (c != null && c.hasLeader() && !(expectNewLeader && c.isLeader(oldLeader))) {
                String leader = c.leader().name();
                List<WriteAttempt> attempts = main.attempts();
                long outage = expectNewLeader || !hitsLeader ? faultNs : attempts.stream()
                        .filter(a -> !a.ok() && a.startNs() > faultNs).mapToLong(WriteAttempt::startNs).min().orElse(Long.MAX_VALUE);
                Optional<WriteAttempt> hit = attempts.stream()
                        .filter(a -> a.ok() && a.startNs() > outage)
                        .filter(a -> access.memberOf(a.server(), c.members()).map(leader::equals).orElse(false))
                        .findFirst();
                if (hit.isPresent()) {
                    return hit;
                }
            }
            Thread.sleep(50);
        }
        return Optional.empty();
    }

    private TrialResult measure(int trial, Fault fault, Member oldLeader, WriteLoad main, WriteLoad stranded,
            long faultNs, long faultMs, String error) {
        List<WriteAttempt> attempts = main.attempts();
        List<WriteAttempt> strandedAttempts = stranded.attempts();
        Cluster after = null;
        // Read through members outside the fault: the one cut off answers nothing until healed.
        try (Dcs outside = access.openDcs(fault.region())) {
            after = outside.load();
        } catch (Exception e) {
            error = error != null ? error : "etcd after the trial: " + e.getMessage();
        }
        Map<String, Member> known = new LinkedHashMap<>();
        known.put(oldLeader.name(), oldLeader);
        if (after != null) {
            after.members().forEach(m -> known.put(m.name(), m));
        }
        List<Member> members = new ArrayList<>(known.values());
        List<TimelineEvent> history = after == null ? List.of() : after.history();
        List<WriteAttempt> all = new ArrayList<>(attempts);
        all.addAll(strandedAttempts);
        List<WriteAttempt> split = faultNs == 0 ? List.of()
                : AckTimeline.splitBrain(all, s -> access.memberOf(s, members), history);
        Set<Long> splitIds = new HashSet<>(split.stream().map(WriteAttempt::id).toList());
        Set<Long> directIds = new HashSet<>(strandedAttempts.stream().map(WriteAttempt::id).toList());
        long directSplit = split.stream().filter(a -> directIds.contains(a.id())).count();

        Optional<Member> newLeader = after == null ? Optional.empty() : after.leaderMember();
        Long lost = null;
        List<Long> lostIds = List.of();
        if (newLeader.isPresent()) {
            long[] acked = all.stream().filter(WriteAttempt::ok).mapToLong(WriteAttempt::id).toArray();
            try {
                long[] missing = AckedRows.missing(access.dsnOf(newLeader.get()), acked);
                lostIds = Arrays.stream(missing).filter(id -> !splitIds.contains(id)).boxed().toList();
                lost = (long) lostIds.size();
                lostIds = lostIds.subList(0, Math.min(50, lostIds.size()));
            } catch (SQLException | RuntimeException e) {
                error = error != null ? error : "could not check for lost writes on " + newLeader.get().name() + ": " + e.getMessage();
            }
        }
        Double rto = faultNs == 0 ? null : AckTimeline.downtime(attempts, faultNs).map(AckTimeline.Gap::seconds).orElse(null);
        if (error != null && error.contains("no write acknowledged")) {
            rto = null;
        }
        Double promoted = faultNs == 0 ? null : AckTimeline.promotionAfter(history, faultNs)
                .map(e -> (ProbeClock.millisToNanos(e.atMillis()) - faultNs) / 1e9).orElse(null);
        return new TrialResult(trial, fault.describe(), oldLeader.name(), oldLeader.region(),
                newLeader.map(Member::name).orElse(null), newLeader.map(Member::region).orElse(null),
                newLeader.map(Member::timeline).orElse(0L), rto,
                AckTimeline.longestGap(attempts).map(AckTimeline.Gap::seconds).orElse(null), promoted,
                attempts.stream().filter(WriteAttempt::ok).count(), attempts.stream().filter(a -> !a.ok()).count(),
                lost, lostIds, split.size(), strandedAttempts.stream().filter(WriteAttempt::ok).count(), directSplit,
                faultMs, error, faultNs, attempts, strandedAttempts);
    }

    private void say(String format, Object... args) {
        progress.printf(format + "%n", args);
        progress.flush();
    }
}
