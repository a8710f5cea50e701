package io.meridian.router;

import io.meridian.core.config.ConfigException;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.core.runtime.HaltOnError;
import io.meridian.router.config.RouterConfig;
import io.meridian.router.config.RouterConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meridian router -c router.yml}: runs the wire-protocol router until stopped (SIGTERM);
 * SIGHUP re-reads the file without dropping connections (as {@code POST /reload} does);
 * {@code meridian router status -c router.yml}: asks a running router what it has applied.
 */
@Command(name = "router", description = "Run the region-aware PostgreSQL router.", subcommands = RouterStatusCommand.class)
public final class RouterCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RouterCommand.class);

    @Option(names = {"-c", "--config"}, description = "The router's YAML file.")
    Path config;

    @Override
    public Integer call() throws Exception {
        // An Error in any thread (a Netty event loop, the etcd reader) ends the router, exit 70: a
        // router that half-works routes on a stale view; a dead one is restarted and clients reconnect.
        HaltOnError.install("router");
        // The ops port (/health, /status, /metrics, /reload) runs on the JDK server, which has no
        // timeouts unless asked: a client sending half a request would hold its thread for good.
        // Read once, when the server is created; a -D in MERIDIAN_JAVA_OPTS wins.
        setDefault("sun.net.httpserver.maxReqTime", "10");
        setDefault("sun.net.httpserver.maxRspTime", "60");
        if (config == null) {
            throw new ConfigException("meridian router", "-c", "missing (expected the router's YAML file: meridian router -c router.yml)");
        }
        RouterConfig cfg = RouterConfigLoader.load(config);
        CountDownLatch stopped = new CountDownLatch(1);
        try (EtcdDcs dcs = connect(cfg); Router router = Router.start(cfg, dcs)) {
            reloadOnHangup(router);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                router.close();
                stopped.countDown();
            }, "meridian-router-shutdown"));
            stopped.await();
        }
        return 0;
    }

    private static void setDefault(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /**
     * True when this process inherited SIGHUP as ignored ({@code SigIgn} in /proc/self/status), as
     * under nohup: the JVM then installs no handler and {@code Signal.handle} silently does nothing.
     */
    static boolean hangupIgnored() {
        return io.meridian.core.runtime.Hangup.ignored();
    }

    /** SIGHUP as nginx, PgBouncer and PostgreSQL use it; an error is logged and the old settings stay. */
    private static void reloadOnHangup(Router router) {
        if (hangupIgnored()) {
            LOG.warn("SIGHUP is ignored in this process (started under nohup?), and the JVM cannot take it back: reload with POST /reload");
            return;
        }
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                try {
                    router.reload();
                } catch (ConfigException e) {
                    LOG.error("reload refused, settings unchanged: {}", e.getMessage());
                } catch (Exception e) {
                    LOG.error("reload failed, settings unchanged: {}", e.toString());
                }
            });
        } catch (IllegalArgumentException e) {
            LOG.warn("SIGHUP is not available here ({}); reload with POST /reload", e.getMessage());
        }
    }

    /** A read-only etcd client (no lease): the router never writes cluster state. */
    static EtcdDcs connect(RouterConfig cfg) {
        // Each etcd call must finish well inside the stale bound, so one slow read cannot by itself
        // make the router refuse writes.
        double retry = Math.min(2.0, cfg.leaderStaleAfter().toMillis() / 3000.0);
        return EtcdDcs.connect(cfg.etcd().endpoints(), cfg.etcd().namespace(), cfg.cluster(), null, 30, retry,
                cfg.etcd().tls());
    }
}
