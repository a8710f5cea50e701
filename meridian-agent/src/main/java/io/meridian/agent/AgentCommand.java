package io.meridian.agent;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meridian agent -c node.yml}: runs the agent for one PostgreSQL node until stopped. */
@Command(name = "agent", description = "Run the agent of one PostgreSQL node (HA loop, REST API).")
public final class AgentCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "The node's YAML file.")
    Path config;

    @Override
    public Integer call() throws Exception {
        throw new UnsupportedOperationException("agent: not built yet");
    }
}
