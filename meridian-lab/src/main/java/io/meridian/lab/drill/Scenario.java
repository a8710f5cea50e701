package io.meridian.lab.drill;

import io.meridian.core.console.CliException;
import java.util.Arrays;

/** What a drill breaks. Each names what it needs and whether the leader should change. */
public enum Scenario {
    /** SIGKILL of the leader's postmaster; its agent stays and restarts it or hands over. */
    CRASH_POSTGRES("crash-postgres", false),
    /** SIGKILL of the leader's agent and postmaster: the node is gone. */
    KILL_NODE("kill-node", true),
    /**
     * SIGSTOP of the leader's agent alone, SIGCONT after {@code --freeze} seconds: a long GC pause
     * or a stalled VM. Its PostgreSQL keeps running, so a fence inside the agent freezes with it.
     */
    FREEZE_AGENT("freeze-agent", true),
    /** SIGKILL of the leader's agent alone (PostgreSQL left running, as systemd's KillMode=process does); started again afterwards. */
    KILL_AGENT("kill-agent", true),
    /** Every node of a region killed (the leader's region unless one is named). */
    REGION_OUTAGE("region-outage", true),
    /** The region's WAN links cut both ways (the leader's region unless one is named); healed afterwards. */
    PARTITION("partition", true),
    /** A planned switchover through the leader's REST API, to a named or the most advanced replica. */
    SWITCHOVER("switchover", true);

    private final String cliName;
    private final boolean movesLeader;

    Scenario(String cliName, boolean movesLeader) {
        this.cliName = cliName;
        this.movesLeader = movesLeader;
    }

    public String cliName() {
        return cliName;
    }

    /** True when recovery means another node leads (when the fault hits the leader at all). */
    public boolean movesLeader() {
        return movesLeader;
    }

    public static Scenario parse(String text) {
        return Arrays.stream(values()).filter(s -> s.cliName.equals(text)).findFirst()
                .orElseThrow(() -> new CliException("unknown scenario \"" + text + "\": expected one of "
                        + String.join(", ", Arrays.stream(values()).map(Scenario::cliName).toList())));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
