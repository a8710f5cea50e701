package io.meridian.router;

import io.meridian.core.config.ConfigException;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.router.config.RouterConfig;
import io.meridian.router.config.RouterConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meridian router -c router.yml}: runs the wire-protocol router until stopped;
 * {@code meridian router status -c router.yml}: asks a running router what it has applied.
 */
@Command(name = "router", description = "Run the region-aware PostgreSQL router.", subcommands = RouterStatusCommand.class)
public final class RouterCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, description = "The router's YAML file.")
    Path config;

    @Override
    public Integer call() throws Exception {
        if (config == null) {
            throw new ConfigException("meridian router", "-c", "missing (expected the router's YAML file: meridian router -c router.yml)");
        }
        RouterConfig cfg = RouterConfigLoader.load(config);
        CountDownLatch stopped = new CountDownLatch(1);
        try (EtcdDcs dcs = connect(cfg); Router router = Router.start(cfg, dcs)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                router.close();
                stopped.countDown();
            }, "meridian-router-shutdown"));
            stopped.await();
        }
        return 0;
    }

    /** A read-only etcd client (no lease): the router never writes cluster state. */
    static EtcdDcs connect(RouterConfig cfg) {
        // Each etcd call must finish well inside the stale bound, so one slow read cannot by itself
        // make the router refuse writes.
        double retry = Math.min(2.0, cfg.leaderStaleAfter().toMillis() / 3000.0);
        return EtcdDcs.connect(cfg.etcd().endpoints(), cfg.etcd().namespace(), cfg.cluster(), null, 30, retry);
    }
}
