package io.meridian.router;

import io.meridian.core.cluster.Role;
import io.meridian.core.config.HostPort;
import io.meridian.router.config.RouterConfig;
import io.meridian.router.it.Clusters;
import io.meridian.router.route.LagBound;
import java.time.Duration;
import java.util.List;

/**
 * The router in front of one PostgreSQL with a fixed cluster view, for bench/router/run.sh:
 * {@code BenchRouter <rw port> <ro port> <postgres port>}. The monitor password is read from the
 * environment variable MERIDIAN_BENCH_MONITOR_PASSWORD (empty under trust authentication).
 */
public final class BenchRouter {

    private BenchRouter() {
    }

    public static void main(String[] args) throws Exception {
        int rw = Integer.parseInt(args[0]);
        int ro = Integer.parseInt(args[1]);
        int pg = Integer.parseInt(args[2]);
        String password = System.getenv().getOrDefault("MERIDIAN_BENCH_MONITOR_PASSWORD", "");
        RouterConfig cfg = new RouterConfig("bench", "bench", "router-bench", "local",
                new RouterConfig.Etcd(List.of("http://127.0.0.1:2379"), "/meridian"),
                new HostPort("127.0.0.1", rw), new HostPort("127.0.0.1", ro), null,
                new RouterConfig.Reads(LagBound.NONE, RouterConfig.Fallback.LEADER, Duration.ofMillis(500)),
                new RouterConfig.Monitor("postgres", password, "postgres", Duration.ofMillis(200), Duration.ofSeconds(1)),
                Duration.ofDays(365), Duration.ofSeconds(5), Duration.ofSeconds(10), null);
        ClusterView view = new ClusterView();
        Router router = Router.start(cfg, view);
        view.apply(Clusters.cluster(1, "pg", Clusters.member("pg", "local", Role.PRIMARY, pg)));
        System.out.println("router ready rw " + router.rwAddress().getPort() + " ro " + router.roAddress().getPort());
        Thread.currentThread().join();
    }
}
