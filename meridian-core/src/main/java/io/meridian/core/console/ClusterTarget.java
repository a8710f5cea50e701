package io.meridian.core.console;

import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.EtcdDcs;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Which cluster a command talks to and how: etcd endpoints, key namespace, cluster name, and the
 * REST credentials for the agents' mutating endpoints (null when unknown).
 *
 * @param source where the settings came from, named in errors ("node.yml", "lab /tmp/meridian-lab")
 */
public record ClusterTarget(List<String> endpoints, String namespace, String cluster, String restUser,
                            String restPassword, String source, io.meridian.core.dcs.EtcdTls etcdTls,
                            io.meridian.core.config.NodeConfig.RestTls restTls) {

    /** A target whose etcd speaks plain text (or TLS the JVM's roots verify, without a client certificate). */
    public ClusterTarget(List<String> endpoints, String namespace, String cluster, String restUser, String restPassword,
                         String source) {
        this(endpoints, namespace, cluster, restUser, restPassword, source, null, null);
    }

    /** etcd answers within this; a CLI should fail fast, not hang on a dead endpoint. */
    private static final double RETRY_TIMEOUT_SECONDS = 5;

    public ClusterTarget {
        endpoints = List.copyOf(endpoints);
    }

    /**
     * A read-only DCS session (no lease, no member key): enough to load and to compare-and-set.
     * With several endpoints, each is asked at once and the session uses the first that answers a
     * full read: a member cut off from its quorum (a lab partition, a region outage) cannot answer a
     * linearizable read, and an operator needs {@code meridian list} most exactly then.
     */
    public Dcs openDcs() {
        if (endpoints.size() == 1) {
            return connect(endpoints);
        }
        // Start logging before the probes do, from several threads at once (SLF4J warns otherwise).
        org.slf4j.LoggerFactory.getILoggerFactory();
        List<Dcs> opened = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(endpoints.size(), r -> {
            Thread t = new Thread(r, "meridian-cli-etcd-probe");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Callable<Dcs>> probes = endpoints.stream().<Callable<Dcs>>map(ep -> () -> {
                Dcs d = connect(List.of(ep));
                opened.add(d);
                d.load();
                return d;
            }).toList();
            // The first etcd client of a fresh JVM loads gRPC, Netty and Vert.x: on a busy machine
            // that alone takes seconds, so the bound is generous; a dead etcd still fails in it.
            Dcs winner = pool.invokeAny(probes, (long) (RETRY_TIMEOUT_SECONDS * 1000) + 15_000, TimeUnit.MILLISECONDS);
            opened.stream().filter(d -> d != winner).forEach(Dcs::close);
            return winner;
        } catch (ExecutionException | TimeoutException e) {
            opened.forEach(Dcs::close);
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String why = e instanceof TimeoutException ? "no answer in time" : String.valueOf(cause.getMessage());
            throw new CliException("no etcd endpoint of " + String.join(",", endpoints) + " (from " + source
                    + ") answered a read of cluster '" + cluster + "': " + why, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            opened.forEach(Dcs::close);
            throw new CliException("interrupted while connecting to etcd", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The session of a one-shot command: reads over etcd's JSON gateway, the gRPC client opened only
     * when something else (a write, a watch) is needed (see {@link ReadFirstDcs}).
     */
    public Dcs openReadFirst() {
        return new ReadFirstDcs(this);
    }

    private Dcs connect(List<String> urls) {
        try {
            return EtcdDcs.connect(urls, namespace, cluster, null, 6, RETRY_TIMEOUT_SECONDS, etcdTls);
        } catch (IllegalArgumentException e) {
            throw new CliException("etcd " + String.join(",", urls) + " (from " + source + "): " + e.getMessage(), e);
        }
    }

    public boolean hasRestCredentials() {
        return restUser != null && restPassword != null;
    }

    @Override
    public String toString() {
        return "ClusterTarget[" + cluster + " at " + endpoints + ", from " + source + "]";
    }
}
