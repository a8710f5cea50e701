package io.meridian.lab.drill;

import io.meridian.core.console.CliException;
import io.meridian.lab.cli.LabCommand;
import io.meridian.lab.cli.LabProcesses;
import io.meridian.lab.cli.LabState;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One trial's fault, chosen against the cluster as it stands: which nodes die, which region is
 * cut off, or which replica takes over. Kills are {@code lab kill}'s SIGKILLs sent all at once;
 * partitions and the way back go through the lab's own verbs ({@code lab partition}, {@code lab heal},
 * {@code lab start}), run in this process.
 *
 * @param scenario  what kind of fault
 * @param nodes     nodes killed (crash-postgres: the postmaster only)
 * @param region    region cut off or lost, or null
 * @param candidate switchover target, or null
 * @param wanLab    the lab emulates WAN links (a region outage then also cuts the region off)
 * @param freeze    how long a frozen agent stays stopped (freeze-agent), else zero
 */
public record Fault(Scenario scenario, List<String> nodes, String region, String candidate, boolean wanLab, Duration freeze) {

    /** The default of {@code --freeze}: longer than the lab's 6 s ttl plus a loop, so a replica is promoted meanwhile. */
    public static final Duration DEFAULT_FREEZE = Duration.ofSeconds(20);

    public Fault {
        freeze = freeze == null ? Duration.ZERO : freeze;
    }

    public Fault(Scenario scenario, List<String> nodes, String region, String candidate, boolean wanLab) {
        this(scenario, nodes, region, candidate, wanLab, Duration.ZERO);
    }

    /** Picks the fault's targets: the leader, the leader's region unless {@code arg} names one, or a candidate. */
    public static Fault choose(Scenario scenario, String arg, Cluster c, ClusterAccess access, Duration freeze) {
        String leader = c.leader().name();
        String leaderRegion = c.leaderMember().map(Member::region).orElse(null);
        boolean wan = onWan(access);
        return switch (scenario) {
            case CRASH_POSTGRES, KILL_NODE, KILL_AGENT -> new Fault(scenario, List.of(leader), null, null, wan);
            case FREEZE_AGENT -> new Fault(scenario, List.of(leader), null, null, wan, freeze);
            case REGION_OUTAGE -> {
                String region = arg != null ? arg : leaderRegion;
                var lab = access.lab().orElseThrow();
                List<String> nodes = lab.nodes().stream().filter(n -> n.region().equals(region)).map(n -> n.name()).toList();
                if (nodes.isEmpty()) {
                    throw new CliException("region-outage: no lab node in region \"" + region + "\"");
                }
                yield new Fault(scenario, nodes, region, null, wan);
            }
            case PARTITION -> new Fault(scenario, List.of(), arg != null ? arg : leaderRegion, null, wan);
            case SWITCHOVER -> {
                String candidate = arg != null ? arg : bestReplica(c, m -> true).map(Member::name)
                        .orElseThrow(() -> new CliException("switchover: no streaming replica to hand over to"));
                yield new Fault(scenario, List.of(), null, candidate, wan);
            }
        };
    }

    /** The most advanced streaming, promotable replica among those {@code where} accepts. */
    static java.util.Optional<Member> bestReplica(Cluster c, java.util.function.Predicate<Member> where) {
        return c.members().stream()
                .filter(m -> m.role() == Role.REPLICA && m.isStreaming() && !m.tags().noFailover() && where.test(m))
                .max(Comparator.comparing(Member::lsn).thenComparing(Member::name, Comparator.reverseOrder()));
    }

    public String describe() {
        return switch (scenario) {
            case CRASH_POSTGRES -> "SIGKILL the postmaster of " + nodes.get(0);
            case KILL_NODE -> "SIGKILL " + nodes.get(0) + " (agent and postmaster)";
            case FREEZE_AGENT -> "SIGSTOP the agent of " + nodes.get(0) + " for " + freeze.toSeconds() + " s (PostgreSQL runs on)";
            case KILL_AGENT -> "SIGKILL the agent of " + nodes.get(0) + " (PostgreSQL runs on)";
            case REGION_OUTAGE -> "SIGKILL every node of " + region + " " + nodes
                    + (wanLab ? " and cut the region's links (its etcd member goes silent)" : "");
            case PARTITION -> "cut " + region + " off the other regions";
            case SWITCHOVER -> "switchover to " + candidate;
        };
    }

    /**
     * Breaks the cluster.
     *
     * @return the probe-clock time of the fault: just before the first signal, cut or request
     */
    long inject(Cluster c, ClusterAccess access) {
        return switch (scenario) {
            case CRASH_POSTGRES -> kill(access, Victims.POSTMASTER);
            case KILL_NODE -> kill(access, Victims.BOTH);
            case KILL_AGENT -> kill(access, Victims.AGENT);
            case FREEZE_AGENT -> {
                long pid = labNode(access).agentPid();
                long at = ProbeClock.nowNanos();
                if (!LabProcesses.signal(pid, "STOP")) {
                    throw new CliException("the agent of " + nodes.get(0) + " (pid " + pid + ") does not run: nothing to freeze");
                }
                yield at;
            }
            case REGION_OUTAGE -> {
                // On a WAN lab a lost region takes its network with it: its etcd member and every
                // link out of it go silent at the moment its nodes die, as in a real outage.
                long at = ProbeClock.nowNanos();
                if (wanLab) {
                    lab(access, "partition", region);
                }
                long killed = kill(access, Victims.BOTH);
                yield wanLab ? at : killed;
            }
            case PARTITION -> {
                long at = ProbeClock.nowNanos();
                lab(access, "partition", region);
                yield at;
            }
            case SWITCHOVER -> {
                long at = ProbeClock.nowNanos();
                switchover(c, access);
                yield at;
            }
        };
    }

    /** Which of a node's processes a kill hits. */
    private enum Victims { POSTMASTER, AGENT, BOTH }

    /**
     * When the fault's effect ends on its own: a frozen agent resumes {@link #freeze} after the
     * fault. The trial measures at least until then, so writes the old primary acknowledges until
     * its agent wakes up are counted.
     */
    long endsNs(long faultNs) {
        return faultNs + freeze.toNanos();
    }

    /** SIGCONT to a frozen agent; harmless to repeat, and nothing for the other faults. */
    void thaw(ClusterAccess access) {
        if (scenario == Scenario.FREEZE_AGENT) {
            LabProcesses.signal(labNode(access).agentPid(), "CONT");
        }
    }

    private LabState.Node labNode(ClusterAccess access) {
        return LabState.read(Path.of(access.lab().orElseThrow().dir())).requireNode(nodes.get(0));
    }

    /**
     * What {@code lab kill} does, with every SIGKILL sent before waiting for any exit: {@code lab
     * kill} waits for the agent to exit before it looks up and kills the postmaster, and on a busy
     * machine the postmaster went on acknowledging writes for seconds after the "fault".
     */
    private long kill(ClusterAccess access, Victims which) {
        LabState lab = LabState.read(Path.of(access.lab().orElseThrow().dir()));
        List<ProcessHandle> victims = new ArrayList<>();
        for (String name : nodes) {
            LabState.Node n = lab.requireNode(name);
            if (which != Victims.POSTMASTER) {
                ProcessHandle.of(n.agentPid()).ifPresent(victims::add);
                lab = lab.withNode(n.withAgentPid(-1));
            }
            if (which != Victims.AGENT) {
                ProcessHandle.of(LabProcesses.postmasterPid(Path.of(n.dataDir()))).ifPresent(victims::add);
            }
        }
        long at = ProbeClock.nowNanos();
        victims.forEach(ProcessHandle::destroyForcibly);
        lab.write();
        for (ProcessHandle h : victims) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // still exiting on a loaded machine; it got its SIGKILL
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return at;
    }

    /** Undoes the fault where the cluster does not heal by itself: restart killed nodes, heal links. */
    void restore(ClusterAccess access) {
        switch (scenario) {
            // lab start starts the agent alone: a PostgreSQL that ran on is left to the agent, which
            // finds a primary without the leader key and demotes and rewinds it.
            case KILL_NODE, KILL_AGENT -> nodes.forEach(n -> lab(access, "start", n, "--timeout", "180"));
            case FREEZE_AGENT -> thaw(access);
            case REGION_OUTAGE -> {
                if (wanLab) {
                    lab(access, "heal");
                }
                nodes.forEach(n -> lab(access, "start", n, "--timeout", "180"));
            }
            case PARTITION -> lab(access, "heal");
            default -> {
            }
        }
    }

    private static boolean onWan(ClusterAccess access) {
        return access.lab().map(l -> l.wan() != null).orElse(false);
    }

    private static void lab(ClusterAccess access, String... args) {
        var lab = access.lab().orElseThrow(() -> new CliException("this scenario needs the lab (only switchover runs against -c node.yml)"));
        List<String> full = new ArrayList<>(List.of(args));
        full.addAll(List.of("--dir", lab.dir()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = LabCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(full.toArray(String[]::new));
        if (rc != 0) {
            throw new CliException("meridian lab " + String.join(" ", full) + " failed: " + err.toString().strip());
        }
    }

    private void switchover(Cluster c, ClusterAccess access) {
        Member leader = c.leaderMember().orElseThrow(() -> new CliException("switchover: no leader to ask"));
        boolean https = leader.apiUrl() != null && leader.apiUrl().startsWith("https://");
        String url = access.lab().flatMap(l -> l.node(leader.name()))
                .map(n -> (https ? "https" : "http") + "://127.0.0.1:" + n.restPort()).orElse(leader.apiUrl());
        if (access.restUser() == null || access.restPassword() == null) {
            throw new CliException("switchover: no REST credentials (use -c node.yml)");
        }
        String auth = Base64.getEncoder().encodeToString((access.restUser() + ":" + access.restPassword()).getBytes(StandardCharsets.UTF_8));
        String body = "{\"leader\":\"" + leader.name() + "\",\"candidate\":\"" + candidate + "\"}";
        HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/switchover")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").header("Authorization", "Basic " + auth)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> r = io.meridian.core.tls.PemTls.restClient(access.restTls()).connectTimeout(Duration.ofSeconds(3)).build()
                    .send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new CliException(url + "/switchover: HTTP " + r.statusCode() + ": " + r.body().strip());
            }
        } catch (java.io.IOException e) {
            throw new CliException(url + "/switchover did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted during the switchover request", e);
        }
    }
}
