package io.meridian.lab.drill;

import io.meridian.core.console.CliException;
import io.meridian.lab.cli.LabPlan;
import io.meridian.lab.cli.LabState;
import io.meridian.core.cluster.Member;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.config.NodeConfigLoader;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.EtcdDcs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How a drill or a probe reaches one cluster: its etcd, the agents' REST credentials, and each
 * member's PostgreSQL. For the lab, members are reached on their own ports (not through the WAN
 * relays: the drill's client sits beside the etcd it reads); for a real cluster, on the members'
 * connect addresses with the node file's superuser.
 *
 * @param lab      the lab, when the cluster is one
 * @param template user, database and passfile for members when no lab or node file gives them
 * @param etcdTls  TLS towards etcd as the node file says, or null
 * @param restTls  the node file's REST API TLS, whose authority checks the agents, or null
 */
public record ClusterAccess(List<String> endpoints, String namespace, String cluster, String restUser,
                            String restPassword, Optional<LabState> lab, NodeConfig.Credentials superuser,
                            Dsn template, io.meridian.core.dcs.EtcdTls etcdTls, NodeConfig.RestTls restTls) {

    public static ClusterAccess ofLab(Path dir) {
        Path d = (dir == null ? LabState.defaultDir() : dir).toAbsolutePath();
        if (!Files.exists(LabState.file(d))) {
            throw new CliException("no lab in " + d + ": start one with 'meridian lab up', or give -c node.yml");
        }
        LabState s = LabState.read(d);
        var t = s.target();
        return new ClusterAccess(t.endpoints(), t.namespace(), t.cluster(), t.restUser(), t.restPassword(),
                Optional.of(s), null, null, t.etcdTls(), t.restTls());
    }

    public static ClusterAccess ofNodeFile(Path file) {
        NodeConfig n = NodeConfigLoader.load(file);
        return new ClusterAccess(n.etcd().endpoints(), n.etcd().namespace(), n.cluster(), n.restapi().username(),
                n.restapi().password(), Optional.empty(), n.postgresql().superuser(), null, n.etcd().tls(), n.restapi().tls());
    }

    /** The same cluster, reaching members with this DSN's user, database and passfile. */
    public ClusterAccess withTemplate(Dsn dsn) {
        return new ClusterAccess(endpoints, namespace, cluster, restUser, restPassword, lab, superuser, dsn, etcdTls, restTls);
    }

    /**
     * gRPC logs through java.util.logging straight to the terminal; its warnings about etcd's ping
     * policy would interleave with a drill's progress. Held here so the level outlives GC.
     */
    private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");

    public Dcs openDcs() {
        return openDcs(null);
    }

    /**
     * A client that asks etcd members outside {@code faultRegion} first: the client sticks to one
     * member at a time, and one cut off by the fault would answer nothing for the whole trial.
     */
    public Dcs openDcs(String faultRegion) {
        GRPC_LOG.setLevel(java.util.logging.Level.SEVERE);
        List<String> ordered = endpoints;
        if (faultRegion != null && lab.isPresent()) {
            java.util.Set<String> cut = lab.get().etcd().members().stream().filter(m -> faultRegion.equals(m.region()))
                    .map(m -> m.clientUrl()).collect(java.util.stream.Collectors.toSet());
            ordered = java.util.stream.Stream.concat(endpoints.stream().filter(e -> !cut.contains(e)),
                    endpoints.stream().filter(cut::contains)).toList();
        }
        return EtcdDcs.connect(ordered, namespace, cluster, null, 6, 3, etcdTls);
    }

    /** A lab node's direct DSN by name, or empty when the name is not one of the lab's. */
    public Optional<Dsn> labDsn(String node) {
        return lab.flatMap(s -> s.node(node)).map(n -> Dsn.parse(LabPlan.dsn(n.pgPort(), lab.get().path().resolve("pgpass"))));
    }

    /** How to reach a member's PostgreSQL for writes. */
    public Dsn dsnOf(Member m) {
        if (template != null) {
            return template.at(m.host(), m.port());
        }
        Optional<Dsn> l = labDsn(m.name());
        if (l.isPresent()) {
            return l.get();
        }
        if (superuser != null) {
            return new Dsn(m.host(), m.port(), "postgres", superuser.username(), null, superuser.password());
        }
        throw new CliException("no way to connect to " + m.name() + " at " + m.hostPort() + ": give --dsn with the user and passfile to use");
    }

    /**
     * The member that a write's {@code addr:port} came from: the lab's node on that port, else the
     * member with that exact connect address, else the only member on that port.
     */
    public Optional<String> memberOf(String server, List<Member> members) {
        if (server == null) {
            return Optional.empty();
        }
        int colon = server.lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(server.substring(colon + 1));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            return Optional.empty();
        }
        if (lab.isPresent()) {
            Optional<String> n = lab.get().nodes().stream().filter(x -> x.pgPort() == port).map(LabState.Node::name).findFirst();
            if (n.isPresent()) {
                return n;
            }
        }
        Optional<String> exact = members.stream().filter(m -> m.hostPort().equals(server)).map(Member::name).findFirst();
        if (exact.isPresent()) {
            return exact;
        }
        List<String> byPort = members.stream().filter(m -> m.port() == port).map(Member::name).toList();
        return byPort.size() == 1 ? Optional.of(byPort.get(0)) : Optional.empty();
    }
}
