package io.meridian.router.it;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Leader;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
import io.meridian.core.config.HostPort;
import io.meridian.router.config.RouterConfig;
import io.meridian.router.route.LagBound;
import io.meridian.testkit.PgServer;
import java.time.Duration;
import java.util.List;

/** Cluster records and router settings for tests that feed the view directly. */
public final class Clusters {

    private Clusters() {
    }

    public static Member member(String name, String region, Role role, int port) {
        return new Member(name, region, role, "running", 1, null, null, null, "streaming", 0, "127.0.0.1", port, null, null, 0);
    }

    public static Cluster cluster(long revision, String leader, Member... members) {
        return new Cluster("test", revision, "7000000000000000001", null, 0,
                leader == null ? null : new Leader(leader, revision, 0), List.of(members), null, null, 0, null, 0, null);
    }

    public static RouterConfig config(String region, Duration staleAfter, RouterConfig.Tls tls) {
        HostPort any = new HostPort("127.0.0.1", 0);
        return new RouterConfig("test", "test", "router-test", region, new RouterConfig.Etcd(List.of("http://127.0.0.1:2379"), "/meridian"),
                any, any, any, new RouterConfig.Reads(LagBound.parse("1MB"), RouterConfig.Fallback.LEADER, Duration.ofMillis(1500)),
                new RouterConfig.Monitor("postgres", PgServer.PASSWORD, "postgres", Duration.ofMillis(100), Duration.ofSeconds(1)),
                staleAfter, Duration.ofSeconds(2), Duration.ofSeconds(2), tls);
    }
}
