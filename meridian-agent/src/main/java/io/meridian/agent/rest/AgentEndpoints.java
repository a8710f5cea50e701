package io.meridian.agent.rest;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.RouterState;
import java.util.List;
import java.util.Map;

/** What the REST API asks of the agent; implemented by the agent, so the API holds no state. */
public interface AgentEndpoints {

    /** 200, 503, or 404 when {@code path} is not a health check. */
    int health(String path, Map<String, String> query);

    /**
     * A health check's answer: its code, with {@link #patroni()}'s body when {@code withBody} (a GET).
     * An agent answers both from one look at PostgreSQL: this is the load balancers' hot path.
     */
    default Response healthCheck(String path, Map<String, String> query, boolean withBody) {
        int code = health(path, query);
        return withBody ? Response.json(code, patroni()) : Response.empty(code);
    }

    /** This node's status (a record serialised as JSON): Meridian's {@code /status}, which peers read. */
    Object status();

    /** This node's status in Patroni's shape ({@code /patroni}, and the body of a health check's GET). */
    Object patroni();

    /** The cluster as etcd holds it now (falls back to the last record read by the HA loop). */
    Cluster cluster();

    /** What the routers report under {@code routers/} (empty when none, or when etcd does not answer). */
    List<RouterState> routers();

    String metrics();

    Object dashboardData();

    /** Records a switchover (or, with {@code failover}, a manual failover) request and waits for it. */
    Response switchover(String body, boolean failover) throws Exception;

    Response cancelSwitchover() throws Exception;

    /** {@code reload} or {@code reinitialize}, carried out by the HA loop. */
    Response operator(String action) throws Exception;

    /** Patroni's {@code POST /restart}: now or at {@code schedule}, if the body's conditions hold (see {@link RestartRequest}). */
    Response restart(String body) throws Exception;

    /** Patroni's {@code DELETE /restart}: cancels a scheduled restart (404 when none is). */
    Response cancelRestart();

    /** A failsafe ping from the leader while etcd is unreachable (see the agent's Failsafe). */
    Response failsafe(String body) throws Exception;

    /** Merges (or with {@code replace}, replaces) the dynamic configuration by compare-and-set. */
    Response patchConfig(String body, boolean replace) throws Exception;
}
