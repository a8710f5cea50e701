package io.meridian.router.ops;

import io.meridian.core.BuildInfo;
import io.meridian.router.lag.LagMonitor;
import io.meridian.router.lag.NodeLag;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The router's Prometheus metrics, in a registry of its own so two routers in one JVM (the lab,
 * tests) never share counters. Hot-path data points are looked up once per connection, not per
 * message.
 */
public final class RouterMetrics {

    public final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge connections;
    private final Counter bytes;
    private final Counter queued;
    private final Counter routes;
    private final Counter refusals;
    private final Counter leaderChanges;
    private final Counter closedOnLeaderChange;
    private final Gauge revision;

    public RouterMetrics(LagMonitor lag) {
        connections = Gauge.builder().name("meridian_router_connections")
                .help("Client connections open now, by port and server").labelNames("port", "backend").register(registry);
        bytes = Counter.builder().name("meridian_router_bytes_total").withoutExemplars()
                .help("Bytes relayed, by direction and server").labelNames("direction", "backend").register(registry);
        queued = Counter.builder().name("meridian_router_queued_reads_total").withoutExemplars()
                .help("Reads the receiving side could not take at once, so the router queued them (a slow client or server), by direction and server")
                .labelNames("direction", "backend").register(registry);
        routes = Counter.builder().name("meridian_router_routed_total").withoutExemplars()
                .help("Connections sent to each server, by port").labelNames("port", "backend").register(registry);
        refusals = Counter.builder().name("meridian_router_refusals_total").withoutExemplars()
                .help("Connections refused or cut before relaying, by port and reason").labelNames("port", "reason").register(registry);
        leaderChanges = Counter.builder().name("meridian_router_leader_changes_total").withoutExemplars()
                .help("Leader changes the router followed").register(registry);
        closedOnLeaderChange = Counter.builder().name("meridian_router_closed_on_leader_change_total").withoutExemplars()
                .help("Read-write connections closed because their server stopped leading").register(registry);
        revision = Gauge.builder().name("meridian_router_cluster_revision")
                .help("etcd revision of the cluster state the router has applied").register(registry);
        // Which build this router runs, as the agents' meridian_build_info says theirs.
        Info.builder().name("meridian_router_build_info").help("The Meridian version and git commit this router runs (always 1)")
                .labelNames("version", "commit").register(registry)
                .addLabelValues(BuildInfo.current().version(), BuildInfo.current().commit());
        GaugeWithCallback.builder().name("meridian_router_replica_lag_bytes")
                .help("WAL bytes each node is behind the leader, as the router measured (-1 unknown)").labelNames("node")
                .callback(cb -> lag.nodes().forEach(n -> cb.call(lag.lag(n).lagBytes(), n))).register(registry);
        GaugeWithCallback.builder().name("meridian_router_replica_lag_seconds")
                .help("Seconds each node is behind the leader, as the router measured (-1 unknown)").labelNames("node")
                .callback(cb -> lag.nodes().forEach(n -> {
                    NodeLag l = lag.lag(n);
                    cb.call(l.lagMillis() < 0 ? -1 : l.lagMillis() / 1000.0, n);
                })).register(registry);
        GaugeWithCallback.builder().name("meridian_router_probe_rtt_seconds")
                .help("Smoothed round trip of the router's probe query to each node").labelNames("node")
                .callback(cb -> lag.nodes().forEach(n -> {
                    NodeLag l = lag.lag(n);
                    cb.call(l.rttNanos() < 0 ? -1 : l.rttNanos() / 1e9, n);
                })).register(registry);
    }

    public GaugeDataPoint connections(String port, String backend) {
        return connections.labelValues(port, backend);
    }

    public CounterDataPoint bytesToServer(String backend) {
        return bytes.labelValues("client_to_server", backend);
    }

    public CounterDataPoint bytesToClient(String backend) {
        return bytes.labelValues("server_to_client", backend);
    }

    public CounterDataPoint queuedToServer(String backend) {
        return queued.labelValues("client_to_server", backend);
    }

    public CounterDataPoint queuedToClient(String backend) {
        return queued.labelValues("server_to_client", backend);
    }

    public void routed(String port, String backend) {
        routes.labelValues(port, backend).inc();
    }

    public void refused(String port, String reason) {
        refusals.labelValues(port, reason).inc();
    }

    public void leaderChanged(int closed) {
        leaderChanges.inc();
        closedOnLeaderChange.inc(closed);
    }

    public void applied(long rev) {
        revision.set(rev);
    }
}
