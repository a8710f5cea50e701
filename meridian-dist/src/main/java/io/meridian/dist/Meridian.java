package io.meridian.dist;

import io.meridian.agent.AgentCommand;
import io.meridian.cli.LogFormat;
import io.meridian.cli.MeridianCli;
import io.meridian.router.RouterCommand;
import java.util.List;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** The {@code meridian} executable: operator verbs, the lab, and the agent and router daemons. */
public final class Meridian {

    /** Long-running processes whose INFO log is their record; everything else is an operator's terminal. */
    private static final List<List<String>> DAEMONS = List.of(List.of("agent"), List.of("router"), List.of("lab", "wan-daemon"));

    private Meridian() {
    }

    public static void main(String[] args) {
        // Before any logger exists: operator verbs show warnings only, so their output stays readable.
        if (System.getProperty("MERIDIAN_LOG_LEVEL") == null && System.getenv("MERIDIAN_LOG_LEVEL") == null && !isDaemon(LogFormat.withoutOption(args))) {
            System.setProperty("MERIDIAN_LOG_LEVEL", "WARN");
        }
        LogFormat.fromArgs(args).ifPresent(f -> System.setProperty(LogFormat.PROPERTY, f.name()));
        // gRPC's java.util.logging lines go through Logback too, in the same format and levels.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        // MeridianCli.commandLine makes every operator error one line and exit 1.
        System.exit(MeridianCli.commandLine(new AgentCommand(), new RouterCommand()).execute(args));
    }

    static boolean isDaemon(String[] args) {
        List<String> a = List.of(args);
        return DAEMONS.stream().anyMatch(d -> a.size() >= d.size() && a.subList(0, d.size()).equals(d));
    }
}
