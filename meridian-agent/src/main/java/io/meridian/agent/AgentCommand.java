package io.meridian.agent;

import io.meridian.core.config.ConfigException;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.config.NodeConfigLoader;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.core.postgres.LocalPostgres;
import io.meridian.core.runtime.HaltOnError;
import io.meridian.core.runtime.Hangup;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** {@code meridian agent -c node.yml}: runs the agent for one PostgreSQL node until stopped. */
@Command(name = "agent", description = "Run the agent of one PostgreSQL node (HA loop, REST API).")
public final class AgentCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(AgentCommand.class);

    @Option(names = {"-c", "--config"}, required = true, description = "The node's YAML file.")
    Path config;

    @Override
    public Integer call() throws Exception {
        // First: an Error in any thread from here on ends the process (exit 70) instead of leaving
        // an agent whose loop is dead but whose REST API still answers; the fence and systemd take over.
        HaltOnError.install("agent");
        NodeConfig node = NodeConfigLoader.load(config);
        EtcdDcs dcs = EtcdDcs.connect(node.etcd().endpoints(), node.etcd().namespace(), node.cluster(), node.name(),
                node.bootstrap().ttl(), node.bootstrap().retryTimeout(), node.etcd().tls());
        Agent agent = new Agent(node, dcs, new LocalPostgres(node));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.shutdown();
            stopped.countDown();
        }, "agent-shutdown"));
        agent.start();
        reloadOnHangup(agent);
        stopped.await();
        return 0;
    }

    /**
     * SIGHUP ({@code systemctl reload meridian-agent}) re-reads the node file, as Patroni does: a file
     * that does not load is logged with its one-line error and changes nothing; otherwise the agent
     * applies what it can live and names the keys that need a restart ({@link NodeConfigReload}).
     * {@code sun.misc.Signal}, as the router uses for its own reload.
     */
    private void reloadOnHangup(Agent agent) {
        Hangup.onHangup("restart the agent to change its node file", () -> reload(agent, config));
    }

    /** One reload: what SIGHUP runs. */
    static void reload(Agent agent, Path config) {
        NodeConfig read;
        try {
            read = NodeConfigLoader.load(config);
        } catch (ConfigException e) {
            LOG.error("node file not reloaded, nothing changed: {}", e.getMessage());
            return;
        }
        agent.reloadNodeFile(read);
    }
}
